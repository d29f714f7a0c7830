"""MNIST that also works without internet.

`load_mnist()` returns the same ``(x_train, y_train), (x_test, y_test)`` tuple as
`keras.datasets.mnist.load_data()`. When the environment variable ``ADAM_BOOK_MNIST``
names an ``.npz`` file with the same four arrays, that file is used (and checked);
otherwise Keras downloads the data (or reuses its cache in ``~/.keras/datasets``).

Every malformed file raises `MnistError` saying what is wrong: not a file, not an
``.npz`` (an ``.npy``, a broken zip, an HTML page, a gzipped file), a corrupt compressed
member, a member that is not an array, pickled objects (never loaded:
``allow_pickle=False``), missing arrays, wrong shapes, dtypes or labels. The line
`load_mnist` prints says which data it is, never where it lies (no path).
"""

from __future__ import annotations

import dataclasses
import math
import os
import zipfile
import zlib

import numpy as np

ENV_VAR = "ADAM_BOOK_MNIST"
OFFICIAL_TRAIN, OFFICIAL_TEST = 60_000, 10_000
KEYS = ("x_train", "y_train", "x_test", "y_test")


class MnistError(RuntimeError):
    """The MNIST data could not be loaded; the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class MnistSource:
    """Where the images came from, and how many there are."""

    origin: str  # "file" or "keras"
    path: str | None
    n_train: int
    n_test: int

    @property
    def is_subset(self) -> bool:
        return self.n_train < OFFICIAL_TRAIN or self.n_test < OFFICIAL_TEST

    def describe(self) -> str:
        """One line (at most 88 characters), without the file's path, e.g.
        "MNIST: the offline subset, 24,345 training and 10,000 test images"."""
        if self.is_subset:
            which = "the offline subset" if self.origin == "file" else "a subset"
        else:
            which = "the full set" + (
                " (offline copy)" if self.origin == "file" else " (Keras's download)"
            )
        return (
            f"MNIST: {which}, {self.n_train:,} training and {self.n_test:,} test images"
        )


def load_mnist(verbose: bool = True, return_source: bool = False):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``: uint8 images of 28x28
    pixels and uint8 labels 0-9. With ``return_source=True`` also return a
    `MnistSource`."""
    path = os.environ.get(ENV_VAR)
    if path:
        data = _load_file(path)
        origin = "file"
    else:
        data = _load_keras()
        origin = "keras"
    (x_train, _), (x_test, _) = data
    source = MnistSource(origin, path or None, len(x_train), len(x_test))
    if verbose:
        print(source.describe())
    return (data, source) if return_source else data


def _load_file(path: str):
    if not os.path.isfile(path):
        raise MnistError(f"{ENV_VAR}={path!r} does not name an existing file")
    _check_kind(path)
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise MnistError(
                f"{path}: holds pickled Python objects, which are never loaded "
                "(allow_pickle=False); save plain uint8 arrays with np.savez"
            ) from err
        raise MnistError(
            f"{path}: not a readable .npz file (ValueError: {err})"
        ) from err
    except (OSError, zipfile.BadZipFile, EOFError) as err:
        raise MnistError(
            f"{path}: not a readable .npz file ({type(err).__name__}: {err})"
        ) from err
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise MnistError(
            f"{path}: a single {type(data).__name__} (an .npy file?), not an .npz "
            f"archive of the arrays {list(KEYS)}"
        )
    with data as npz:
        missing = [k for k in KEYS if k not in npz.files]
        if missing:
            raise MnistError(
                f"{path}: missing array(s) {missing}; an MNIST .npz needs "
                f"{list(KEYS)} (found {sorted(npz.files)})"
            )
        arrays = {}
        for k in KEYS:
            _check_declared_size(path, npz, k)
            try:
                arrays[k] = npz[k]
            except ValueError as err:
                if "allow_pickle" in str(err):
                    raise MnistError(
                        f"{path}: {k} holds pickled Python objects, which are "
                        "never loaded (allow_pickle=False)"
                    ) from err
                raise MnistError(
                    f"{path}: {k} is not a readable array ({err})"
                ) from err
            except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as err:
                raise MnistError(
                    f"{path}: {k} is corrupt ({type(err).__name__}: {err})"
                ) from err
            if not isinstance(arrays[k], np.ndarray):
                raise MnistError(
                    f"{path}: the member {k} is not a NumPy array (a .npy file) "
                    f"but {type(arrays[k]).__name__}"
                )
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise MnistError(
                f"{path}: x_{split} has shape {x.shape}, expected (n, 28, 28)"
            )
        if y.shape != (len(x),):
            raise MnistError(
                f"{path}: y_{split} has shape {y.shape}, expected ({len(x)},) "
                f"to match x_{split}"
            )
        for name, a in ((f"x_{split}", x), (f"y_{split}", y)):
            if a.dtype != np.uint8:
                raise MnistError(f"{path}: {name} has dtype {a.dtype}, expected uint8")
        if len(y) and y.max() > 9:
            raise MnistError(
                f"{path}: y_{split} holds label {int(y.max())}; labels are 0-9"
            )
        if len(x) == 0:
            raise MnistError(f"{path}: x_{split} is empty")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


#: How a file begins: a zip archive (an .npz), an .npy array, a pickle (protocol 2 or
#: later).
_ZIP, _NPY, _PICKLE = b"PK", b"\x93NUMPY", b"\x80"


def _check_kind(path: str) -> None:
    """Refuse a file that is neither a zip archive, nor an .npy array, nor a pickle
    (which np.load would try, and which is refused as such): an HTML page from a failed
    download, a gzipped .npz. NumPy would blame them for holding pickled objects."""
    with open(path, "rb") as f:
        start = f.read(8)
    if start.startswith((_ZIP, _NPY, _PICKLE)):
        return
    if not start:
        what = "it is empty"
    elif start.startswith(b"\x1f\x8b"):
        what = "it is gzip-compressed: gunzip it first"
    elif start.lstrip().startswith(b"<"):
        what = "it looks like an HTML or XML page (a failed download?)"
    else:
        what = f"it begins with {start!r}"
    raise MnistError(f"{path}: not an .npz file (a zip archive of .npy arrays); {what}")


def _member(npz, key: str) -> str:
    """The zip member NumPy reads for `key`: NpzFile maps "x_train" to the member named
    exactly "x_train" when there is one (a member's full name wins), else to
    "x_train.npy"."""
    names = npz.zip.namelist()
    return key if key in names else f"{key}.npy"


def _check_declared_size(path: str, npz, key: str) -> None:
    """Refuse a member whose header claims more data than the member holds, before NumPy
    allocates it: a 2.6 KB file that says (10**9, 28, 28) would otherwise ask for 730
    GiB. The member checked is the one NumPy will read (`_member`). A header that cannot
    be read is left to NumPy's own error."""
    try:
        info = npz.zip.getinfo(_member(npz, key))
        with npz.zip.open(info) as member:
            version = np.lib.format.read_magic(member)
            read = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read(member)
            header = member.tell()
    except Exception:  # not an .npy member, a broken header: reported when read
        return
    if dtype.hasobject:
        return  # pickled objects: refused when read
    claimed = math.prod(shape) * dtype.itemsize
    if claimed > info.file_size - header:
        raise MnistError(
            f"{path}: {key} claims shape {shape} of {dtype} ({claimed:,} "
            f"bytes) but holds {info.file_size - header:,} bytes of data; "
            "the file is truncated or corrupt"
        )


def _load_keras():
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except (
        Exception
    ) as err:  # Keras raises several kinds of error for a failed download
        raise MnistError(
            f"Keras could not download MNIST ({type(err).__name__}: {err}). Without "
            f"internet, point {ENV_VAR} at a local copy: an .npz file with uint8 "
            f"arrays {', '.join(KEYS)} (as keras.datasets.mnist.load_data() returns), "
            f"e.g.\n    export {ENV_VAR}=/path/to/mnist.npz"
        ) from err
