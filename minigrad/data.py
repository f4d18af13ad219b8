"""Data for training: a loader for the handwritten digits and a ``DataLoader`` for numpy arrays.

``DataLoader`` mirrors the part of ``torch.utils.data.DataLoader`` a small course needs:
it cuts arrays that share a first dimension into mini-batches, reshuffled every epoch.
Batches are plain numpy arrays, so the very same batches can be fed to minigrad and torch.
"""

from __future__ import annotations

import gzip
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from minigrad.random import generator as _generator

__all__ = ["DIGITS_URL", "DataLoader", "load_digits"]

# Where the course repository keeps the file; used only when there is no local copy (Colab).
DIGITS_URL = (
    "https://raw.githubusercontent.com/minigrad-course/minigrad/main/notebooks/data/digits.csv.gz"
)
_REPO_DIGITS = Path(__file__).resolve().parent.parent / "notebooks" / "data" / "digits.csv.gz"
_CACHE_DIGITS = Path.home() / ".cache" / "minigrad" / "digits.csv.gz"


def load_digits(
    path: str | Path | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load the UCI handwritten digits (as scikit-learn's ``load_digits``): images and labels.

    Returns ``(images, labels)``: ``images`` is float64 of shape (1797, 8, 8) with pixel
    values 0..16, ``labels`` is int64 of shape (1797,) with the digit 0..9.

    ``path`` defaults to the copy in the repository (``notebooks/data/digits.csv.gz``, see
    the README there for source, licence and citation). Without a repository checkout (for
    instance on Colab) the file is downloaded once from the course repository into
    ``~/.cache/minigrad`` unless ``download=False``.
    """
    if path is None:
        path = _REPO_DIGITS if _REPO_DIGITS.exists() else _CACHE_DIGITS
        if not path.exists():
            if not download:
                raise FileNotFoundError(
                    f"digits data not found at {_REPO_DIGITS} or {_CACHE_DIGITS}: pass the path "
                    f"of digits.csv.gz, or call load_digits(download=True) to fetch {DIGITS_URL}"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            urllib.request.urlretrieve(DIGITS_URL, path)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"no file at {path}: pass the path of digits.csv.gz (it is in notebooks/data/ of "
            "the course repository), or call load_digits() without a path"
        )
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    return table[:, :-1].reshape(-1, 8, 8).astype(np.float64), table[:, -1]


def _generator_from(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator: the one given, a fresh one from an int, or one seeded from minigrad's."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        # Like torch's DataLoader, which draws its shuffling seed from torch's global
        # generator: minigrad.manual_seed(...) then makes the shuffling reproducible too.
        seed = int(_generator().integers(2**63))
    return np.random.default_rng(seed)


class DataLoader:
    """Iterate over mini-batches of numpy arrays that share their first dimension.

    ``DataLoader(x, y, batch_size=32, shuffle=True)`` yields ``(x_batch, y_batch)`` tuples
    (a bare array when given a single array). With ``shuffle=True`` every pass over the
    loader (every epoch) draws a new permutation from ``generator``: a numpy Generator, an
    int seed, or ``None`` for one seeded from minigrad's global generator
    (``minigrad.manual_seed``). ``drop_last=True`` skips a final batch smaller than
    ``batch_size``. ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        *arrays: np.ndarray,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: int | np.random.Generator | None = None,
    ) -> None:
        if not arrays:
            raise ValueError(
                "DataLoader needs at least one array, e.g. DataLoader(x, y, batch_size=32)"
            )
        arrays = tuple(np.asarray(a) for a in arrays)
        sizes = [a.shape[0] if a.ndim else None for a in arrays]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(
                f"DataLoader's arrays must share their first dimension (one row per example), "
                f"got shapes {shapes}"
            )
        if not isinstance(batch_size, int | np.integer) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.arrays = arrays
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = _generator_from(generator) if shuffle else None

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = self.arrays[0].shape[0]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...] | np.ndarray]:
        """Yield the batches of one epoch, in a new random order if ``shuffle`` is on."""
        n = self.arrays[0].shape[0]
        if self.shuffle:
            assert self.generator is not None  # __init__ makes one whenever shuffle is on
            order = self.generator.permutation(n)
        else:
            order = np.arange(n)
        for b in range(len(self)):
            index = order[b * self.batch_size : (b + 1) * self.batch_size]
            batch = tuple(a[index] for a in self.arrays)
            yield batch if len(batch) > 1 else batch[0]

    def __repr__(self) -> str:
        """Summarise the loader: arrays' shapes, batch size and options."""
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return (
            f"DataLoader({shapes}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last})"
        )
