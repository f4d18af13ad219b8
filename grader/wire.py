"""The wire format between the grader and a student's process: JSON with numpy arrays inside.

Everything a student's process sends back is untrusted, so it is never unpickled: it is JSON
(which can only build dicts, lists, strings and numbers) and an array travels as its dtype,
shape and raw bytes in base64. :func:`decode` checks all three before it builds the array.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

#: The only dtypes an array on the wire may have: numbers, never objects.
ALLOWED_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "bool")
#: Nesting deeper than this is not an answer to any question, so it is refused.
MAX_DEPTH = 8
#: No single array may hold more elements than this.
MAX_ELEMENTS = 2_000_000


class WireError(ValueError):
    """A message that does not follow the wire format (malformed, or not numbers)."""


def encode(obj: Any, _depth: int = 0) -> Any:
    """Turn a result (numbers, arrays, lists, tuples, dicts with str keys) into JSON-ready data.

    Raises TypeError naming the offending type, e.g. for a torch tensor or a custom object,
    so that a student learns what to return instead.
    """
    if _depth > MAX_DEPTH:
        raise TypeError(f"the result is nested more than {MAX_DEPTH} levels deep")
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        # JSON has no NaN or infinity: spell them out so that a nan answer stays a nan.
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, np.generic):
        obj = np.asarray(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.name not in ALLOWED_DTYPES:
            raise TypeError(f"an array of dtype {obj.dtype} (expected a numeric dtype)")
        data = np.ascontiguousarray(obj).tobytes()
        return {
            "__ndarray__": base64.b64encode(data).decode("ascii"),
            "dtype": obj.dtype.name,
            "shape": list(obj.shape),
        }
    if isinstance(obj, list | tuple):
        return [encode(item, _depth + 1) for item in obj]
    if isinstance(obj, dict) and all(isinstance(key, str) for key in obj):
        if "__ndarray__" in obj or "__float__" in obj:
            raise TypeError("a dict with a reserved key")
        return {key: encode(value, _depth + 1) for key, value in obj.items()}
    raise TypeError(f"an object of type {type(obj).__name__} (expected numbers or numpy arrays)")


def decode(data: Any, _depth: int = 0) -> Any:
    """Rebuild what :func:`encode` produced, refusing anything that is not plain numbers."""
    if _depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(item, _depth + 1) for item in data]
    if not isinstance(data, dict):
        raise WireError(f"unexpected {type(data).__name__}")
    if "__float__" in data:
        text = data["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise WireError(f"bad float {text!r}")
        return float(text)
    if "__ndarray__" in data:
        return _decode_array(data)
    if not all(isinstance(key, str) for key in data):
        raise WireError("dict keys must be strings")
    return {key: decode(value, _depth + 1) for key, value in data.items()}


def _decode_array(data: dict) -> np.ndarray:
    dtype, shape, payload = data.get("dtype"), data.get("shape"), data.get("__ndarray__")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"array dtype {dtype!r} is not allowed")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape
    ):
        raise WireError(f"bad array shape {shape!r}")
    if len(shape) > 32 or math.prod(shape) > MAX_ELEMENTS:
        raise WireError(f"array of shape {shape} is too large")
    if not isinstance(payload, str):
        raise WireError("array data must be base64 text")
    raw = base64.b64decode(payload.encode("ascii"), validate=True)
    itemsize = np.dtype(dtype).itemsize
    if len(raw) != math.prod(shape) * itemsize:
        raise WireError(
            f"array data has {len(raw)} bytes, its shape {shape} needs a different size"
        )
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
