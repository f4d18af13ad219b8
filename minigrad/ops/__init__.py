"""minigrad's operations on arrays, one module per family, each op an :class:`~minigrad.op.Op`.

``elementwise`` (the kernel table of :mod:`minigrad.kernels`), ``reductions`` (sum, mean,
max), ``linalg`` (matmul, linear), ``shape`` (views, indexing, cat, where, copies) and
``softmax``. They know nothing of Tensor: :func:`minigrad.tensor.apply` runs them on Tensors.
"""
