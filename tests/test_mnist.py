"""The MNIST loader: local files are checked, and a failed download says what to do."""

import zipfile

import numpy as np
import pytest

from adam.experiments.mnist import ENV_VAR, MnistError, load_mnist


def write_npz(path, **overrides):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 5, dtype=np.uint8),
    }
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)
    return arrays


def test_loads_a_local_file_and_says_so(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.npz"
    arrays = write_npz(path)
    monkeypatch.setenv(ENV_VAR, str(path))
    (
        (x_train, y_train),
        (x_test, y_test),
    ) = load_mnist()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    out = capsys.readouterr().out
    assert out == "MNIST: the offline subset, 12 training and 5 test images\n"
    assert str(tmp_path) not in out and "m.npz" not in out  # no path in what is printed
    _, source = load_mnist(verbose=False, return_source=True)
    assert source.origin == "file" and source.n_train == 12 and source.is_subset


@pytest.mark.parametrize(
    "override, message",
    [
        ({"y_test": None}, r"missing array\(s\) \['y_test'\]"),
        (
            {"x_train": np.zeros((12, 28, 27), np.uint8)},
            r"x_train has shape \(12, 28, 27\)",
        ),
        (
            {"y_train": np.zeros(11, np.uint8)},
            r"y_train has shape \(11,\), expected \(12,\)",
        ),
        (
            {"x_test": np.zeros((5, 28, 28), np.float32)},
            "x_test has dtype float32, expected uint8",
        ),
        ({"y_train": np.full(12, 10, np.uint8)}, "holds label 10"),
    ],
)
def test_bad_files_are_named(tmp_path, monkeypatch, override, message):
    path = tmp_path / "bad.npz"
    write_npz(path, **override)
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(MnistError, match=message):
        load_mnist(verbose=False)


def test_missing_and_corrupt_files(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.npz"))
    with pytest.raises(MnistError, match="does not name an existing file"):
        load_mnist(verbose=False)
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip file")
    monkeypatch.setenv(ENV_VAR, str(corrupt))
    with pytest.raises(MnistError, match="not a readable .npz file"):
        load_mnist(verbose=False)


def test_failed_download_names_env_variable(monkeypatch):
    keras = pytest.importorskip("keras")
    monkeypatch.delenv(ENV_VAR, raising=False)

    def offline():
        raise Exception("URL fetch failure: no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MnistError, match=f"export {ENV_VAR}=") as info:
        load_mnist(verbose=False)
    assert "no network" in str(info.value)


def test_uses_keras_when_no_file_is_named(monkeypatch):
    keras = pytest.importorskip("keras")
    monkeypatch.delenv(ENV_VAR, raising=False)
    fake = (
        (np.zeros((60000, 28, 28), np.uint8), np.zeros(60000, np.uint8)),
        (np.zeros((10000, 28, 28), np.uint8), np.zeros(10000, np.uint8)),
    )
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    data, source = load_mnist(verbose=False, return_source=True)
    assert data is fake and source.origin == "keras" and not source.is_subset
    assert source.describe() == (
        "MNIST: the full set (Keras's download), 60,000 training and 10,000 test images"
    )


@pytest.mark.parametrize(
    "origin, n_train, expected",
    [
        (
            "file",
            24_345,
            "MNIST: the offline subset, 24,345 training and 10,000 test images",
        ),
        (
            "file",
            60_000,
            "MNIST: the full set (offline copy), 60,000 training and 10,000 test "
            "images",
        ),
        (
            "keras",
            60_000,
            "MNIST: the full set (Keras's download), 60,000 training and 10,000 test "
            "images",
        ),
    ],
)
def test_printed_line_names_data_not_file(origin, n_train, expected):
    from adam.experiments.mnist import MnistSource

    text = MnistSource(
        origin, "/home/someone/data/mnist.npz", n_train, 10_000
    ).describe()
    assert text == expected and len(text) <= 88 and "/" not in text


def write_members(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy_bytes(array, allow_pickle=False):
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def good_members():
    return {f"{k}.npy": npy_bytes(v) for k, v in write_npz_arrays().items()}


def write_npz_arrays():
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 5, dtype=np.uint8),
    }


def corrupt_compressed(path):
    # A deflated member whose compressed bytes are damaged: zlib.error when it is read.
    write_members(path, good_members(), zipfile.ZIP_DEFLATED)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("x_train.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start + 10 : start + 60] = b"\xff" * 50
    path.write_bytes(bytes(raw))


def not_an_array(path):
    members = good_members()
    members["x_train"] = members.pop("x_train.npy")[
        :5
    ]  # no .npy: NumPy gives raw bytes
    write_members(path, members)


def pickled_member(path):
    members = good_members()
    members["y_test.npy"] = npy_bytes(
        np.array([{"label": 3}], dtype=object), allow_pickle=True
    )
    write_members(path, members)


def pickled_file(path):
    import pickle

    path.write_bytes(pickle.dumps(write_npz_arrays()))


def huge_header(path):
    # x_train's header claims (10**9, 28, 28): 730 GiB, in a file of a few kilobytes.
    members = good_members()
    data = members["x_train.npy"]
    end = data.index(b"\n") + 1  # the header keeps its length: 8 spaces fewer
    header = (
        data[:end].replace(b"(12,", b"(1000000000,").replace(b" " * 8 + b"\n", b"\n")
    )
    members["x_train.npy"] = header + data[end:]
    write_members(path, members)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda path: np.save(path, np.zeros((3, 28, 28), np.uint8)),
            r"a single ndarray \(an \.npy file\?\), not an \.npz archive",
        ),
        (corrupt_compressed, r"x_train is corrupt \(error: "),
        (not_an_array, "the member x_train is not a NumPy array"),
        (pickled_member, r"y_test holds pickled Python objects.*allow_pickle=False"),
        (pickled_file, r"holds pickled Python objects.*allow_pickle=False"),
        (
            huge_header,
            r"x_train claims shape \(1000000000, 28, 28\) of uint8 "
            r"\(784,000,000,000 bytes\) but holds 9,408 bytes",
        ),
    ],
    ids=[
        "npy instead of npz",
        "corrupt compressed member",
        "member not an array",
        "pickled member",
        "pickled file",
        "header claims a huge shape",
    ],
)
def test_malformed_files_raise_mnist_error(tmp_path, monkeypatch, make, message):
    path = tmp_path / "bad.npz"
    make(path)
    if not path.exists():  # np.save appended .npy
        (tmp_path / "bad.npz.npy").rename(path)
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(MnistError, match=message):
        load_mnist(verbose=False)


def huge_member_without_npy(path, keep_good=False):
    """Finding 3: NumPy's NpzFile reads the member named exactly "x_train" when there is
    one, even next to a good "x_train.npy"; its header claims (10**9, 28, 28)."""
    members = good_members()
    huge_header(path)
    with zipfile.ZipFile(path) as archive:
        huge = archive.read("x_train.npy")
    if not keep_good:
        del members["x_train.npy"]
    members["x_train"] = huge
    write_members(path, members)


@pytest.mark.parametrize(
    "keep_good", [False, True], ids=["only x_train", "x_train.npy too"]
)
def test_member_declared_size_checked(tmp_path, monkeypatch, keep_good):
    path = tmp_path / "bad.npz"
    huge_member_without_npy(path, keep_good)
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(
        MnistError, match=r"x_train claims shape \(1000000000, 28, 28\)"
    ):
        load_mnist(verbose=False)


@pytest.mark.parametrize(
    "content, hint",
    [
        (
            b"<!DOCTYPE html><html><body>Not Found</body></html>",
            "it looks like an HTML or XML page",
        ),
        (None, "it is gzip-compressed"),
        (b"", "it is empty"),
        (b"hello, world", "it begins with"),
    ],
    ids=["html", "gzip", "empty", "text"],
)
def test_a_file_that_is_not_a_zip_is_named_so(tmp_path, monkeypatch, content, hint):
    """Finding 10: an HTML page or a gzipped .npz was blamed for holding pickled
    objects."""
    import gzip

    path = tmp_path / "bad.npz"
    if content is None:
        np.savez(tmp_path / "good.npz", **write_npz_arrays())
        content = gzip.compress((tmp_path / "good.npz").read_bytes())
    path.write_bytes(content)
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(
        MnistError,
        match=r"not an \.npz file \(a zip archive of \.npy arrays\); " + hint,
    ):
        load_mnist(verbose=False)
