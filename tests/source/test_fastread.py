"""The triage reader reads what `source.read_raw` reads and fails with the same reasons."""

from __future__ import annotations

import os
import threading

import pytest

from cachelint.core.errors import SourceError
from cachelint.source.fastread import read_bytes
from cachelint.source.files import read_raw

symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")


def reason(read, path):
    with pytest.raises(SourceError) as raised:
        read(str(path), "shown.py")
    assert raised.value.path == "shown.py"
    return raised.value.reason


@pytest.mark.parametrize("content", [b"", b"x = 1\n", b"\xef\xbb\xbfx = '\xe9'\r\n" * 50_000])
def test_same_bytes(tmp_path, content):
    path = tmp_path / "m.py"
    path.write_bytes(content)
    data, is_link = read_bytes(str(path), "m.py")
    assert data == read_raw(str(path), "m.py").raw == content
    assert is_link in (False, None)  # None only where the platform cannot tell for free


def test_same_errors(tmp_path):
    (tmp_path / "pkg.py").mkdir()
    for path in (tmp_path / "missing.py", tmp_path / "pkg.py"):
        assert reason(read_bytes, path) == reason(read_raw, path)
    assert reason(read_bytes, tmp_path / "pkg.py") == "is a directory, expected a file"


@symlinks
def test_symbolic_links(tmp_path):
    (tmp_path / "real.py").write_bytes(b"x = 1\n")
    os.symlink(tmp_path / "real.py", tmp_path / "link.py")
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")
    os.symlink(tmp_path / "self.py", tmp_path / "self.py")
    os.symlink(tmp_path, tmp_path / "folder.py")
    data, is_link = read_bytes(str(tmp_path / "link.py"), "link.py")
    assert (data, is_link) == (b"x = 1\n", True)
    for name in ("dangling.py", "self.py", "folder.py"):
        assert reason(read_bytes, tmp_path / name) == reason(read_raw, tmp_path / name)
    assert reason(read_bytes, tmp_path / "dangling.py") == "broken symbolic link"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_read_to_its_end(tmp_path):
    # Not a regular file: its size says nothing, so the reader reads on until the writer is done.
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    content = b"x = 1\n" * 30_000  # more than a pipe holds at once

    def write():
        with open(fifo, "wb") as handle:  # blocks until the reader opens the pipe
            handle.write(content)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        data, _ = read_bytes(str(fifo), "pipe.py")
    finally:
        writer.join()
    assert data == content
