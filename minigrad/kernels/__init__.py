"""Elementwise forward and backward kernels, laid out the way OneFlow lays them out.

Every elementwise op of ``minigrad.Tensor`` runs through the two tables of this package:

* ``UNARY_KERNELS[name]`` is a :class:`UnaryKernel`: a forward functor ``y = f(x)`` and a
  backward functor ``dx = backward(dy, saved)``. As in OneFlow, the backward is named by what
  it reads: ``saves == "x"`` is OneFlow's ``...BackwardWithDyX`` (it recomputes from the saved
  input), ``saves == "y"`` is ``...BackwardWithDyY`` (it reuses the saved output). Which of
  the two an entry saves is what PyTorch's ``derivatives.yaml`` saves (``self`` or ``result``),
  so that the in-place check raises exactly where torch's does; where OneFlow chose the other
  (``exp``, ``exp2``, ``expm1``, ``sqrt``, ``rsqrt``, ``reciprocal``, ``tan`` save the input
  in OneFlow), ``KERNEL_DOCS[name].oneflow`` still names OneFlow's functor.
* ``BINARY_KERNELS[name]`` is a :class:`BinaryKernel`: ``y = f(a, b)`` with numpy
  broadcasting and one backward per operand, each returning a gradient in the broadcast
  shape; :func:`unbroadcast` sums it back to the operand's shape.

``KERNEL_DOCS[name]`` records, for each op, the backward's name in OneFlow's ``BinaryOp``
enum and the formula PyTorch writes in ``tools/autograd/derivatives.yaml``.

Everything computes in the input's dtype. Constants are cast to that dtype first (see
:func:`_cast`), as OneFlow's functors write ``static_cast<Src>(2.0)``: under numpy 2's
promotion rules (NEP 50) an ``np.float64`` scalar is a strong type, so ``x32 * np.log(2)``
would silently become float64. Values at special points (0, ties, negative bases, ...) follow
PyTorch. Kernels are pure numpy: this package knows nothing about ``Tensor``.

The package is one module per family around a shared table:

* ``table``: the entry types, the three tables, the registration helpers ``_unary`` and
  ``_binary``, ``_cast`` and ``unbroadcast``;
* ``exp_log`` (exp, log, sqrt, ...), ``trig`` (sin, ..., atanh), ``activations`` (sigmoid,
  erf, relu, gelu, sign, round, ...) and ``binary`` (add, ..., minimum): each op's forward,
  backward and registration, which runs when the module is imported.

This ``__init__`` imports them in that order, which is the order of the tables' entries, and
re-exports every name: ``minigrad.kernels.exp2_backward``, ``minigrad.kernels._cast``, ...
"""

# The order of these imports is the order of UNARY_KERNELS and BINARY_KERNELS (each family
# registers its kernels when imported); `# isort: split` keeps ruff from sorting them.
from minigrad.kernels.table import (  # noqa: F401 (re-exported)
    BINARY_KERNELS,
    KERNEL_DOCS,
    UNARY_KERNELS,
    Array,
    BinaryKernel,
    KernelDoc,
    UnaryKernel,
    _binary,
    _cast,
    _unary,
    _zero_backward,
    unbroadcast,
)

# isort: split
from minigrad.kernels.exp_log import (  # noqa: F401 (re-exported)
    exp2_backward,
    exp2_forward,
    exp_backward,
    exp_forward,
    expm1_backward,
    expm1_forward,
    log1p_backward,
    log1p_forward,
    log2_backward,
    log2_forward,
    log10_backward,
    log10_forward,
    log_backward,
    log_forward,
    reciprocal_backward,
    reciprocal_forward,
    rsqrt_backward,
    rsqrt_forward,
    sqrt_backward,
    sqrt_forward,
    square_backward,
    square_forward,
)

# isort: split
from minigrad.kernels.trig import (  # noqa: F401 (re-exported)
    acos_backward,
    acos_forward,
    acosh_backward,
    acosh_forward,
    asin_backward,
    asin_forward,
    asinh_backward,
    asinh_forward,
    atan_backward,
    atan_forward,
    atanh_backward,
    atanh_forward,
    cos_backward,
    cos_forward,
    cosh_backward,
    cosh_forward,
    sin_backward,
    sin_forward,
    sinh_backward,
    sinh_forward,
    tan_backward,
    tan_forward,
    tanh_backward,
    tanh_forward,
)

# isort: split
from minigrad.kernels.activations import (  # noqa: F401 (re-exported)
    _float_dtype,
    _math_erf,
    _math_erfc,
    abs_backward,
    abs_forward,
    ceil_forward,
    erf_backward,
    erf_forward,
    erfc_backward,
    erfc_forward,
    floor_forward,
    gelu_backward,
    gelu_forward,
    neg_backward,
    neg_forward,
    relu_backward,
    relu_forward,
    round_forward,
    sigmoid_backward,
    sigmoid_forward,
    sign_forward,
    softplus_backward,
    softplus_forward,
)

# isort: split
from minigrad.kernels.binary import (  # noqa: F401 (re-exported)
    add_backward,
    add_forward,
    div_backward_lhs,
    div_backward_rhs,
    div_forward,
    maximum_backward_lhs,
    maximum_backward_rhs,
    maximum_forward,
    minimum_backward_lhs,
    minimum_backward_rhs,
    minimum_forward,
    mul_backward_lhs,
    mul_backward_rhs,
    mul_forward,
    pow_backward_lhs,
    pow_backward_rhs,
    pow_forward,
    remainder_backward_lhs,
    remainder_backward_rhs,
    remainder_forward,
    sub_backward_lhs,
    sub_backward_rhs,
    sub_forward,
)

__all__ = [
    "BINARY_KERNELS",
    "KERNEL_DOCS",
    "UNARY_KERNELS",
    "BinaryKernel",
    "KernelDoc",
    "UnaryKernel",
    "unbroadcast",
]
