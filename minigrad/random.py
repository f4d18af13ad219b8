"""minigrad's random numbers: one numpy Generator, reseeded by :func:`manual_seed`.

``randn``, ``rand``, ``randint``, ``nn`` initialisation, ``Dropout`` and ``DataLoader`` shuffling
all draw from it. The same seed gives the same numbers in minigrad, not the numbers torch draws.
"""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed minigrad's random generator, like ``torch.manual_seed``."""
    global _rng
    _rng = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """minigrad's numpy Generator (the one :func:`manual_seed` last seeded)."""
    return _rng
