"""Reading, decoding and writing Python source files without changing what we did not fix.

Decoding follows PEP 263 (BOM, then a coding cookie, else UTF-8) and keeps line endings as they
are, so edit offsets index exactly the text the file holds. Writing re-encodes with the same
encoding (a BOM stays a BOM), keeps the file mode, goes through a temporary file in the same
directory + `os.replace`, and refuses to write when the file changed since it was read.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from typing import Optional

from cachelint.core.errors import SourceError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A bare "\n" in inserted text, i.e. one not already part of "\r\n".
_BARE_LF = re.compile(r"(?<!\r)\n")
# PEP 263's pattern, on bytes: `# -*- coding: latin-1 -*-`, `# vim: set fileencoding=utf-8 :`.
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


@dataclass(frozen=True)
class SourceFile:
    path: str  # display path
    raw: bytes
    text: str
    encoding: str  # a codec name for str.encode: "utf-8-sig" when the file starts with a BOM
    newline: str  # the file's first line ending ("\n" when it has none)
    real_path: Optional[str] = None  # where to write (symlinks resolved); None for stdin
    mtime_ns: Optional[int] = None
    mode: Optional[int] = None


def decode_source(raw: bytes, path: str) -> SourceFile:
    """Decode bytes as Python source. Raises SourceError for binary or undecodable data."""
    if b"\x00" in raw:
        raise SourceError("binary file (contains NUL bytes); not Python source", path)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        if _has_coding_cookie(raw):
            if raw.startswith(codecs.BOM_UTF8):
                reason = "starts with a UTF-8 byte-order mark but declares another encoding"
            else:
                reason = error.msg.split(" for ", 1)[0]  # "unknown encoding: klingon"
            raise SourceError(f"cannot determine encoding: {reason}", path) from None
        # No cookie: the first lines are simply not UTF-8; decoding below says where.
        encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        position = f" at byte {error.start}" if isinstance(error, UnicodeDecodeError) else ""
        name = "utf-8" if encoding == "utf-8-sig" else encoding
        raise SourceError(f"cannot decode as {name}{position}: {reason}", path) from None
    return SourceFile(
        path=path, raw=raw, text=text, encoding=encoding, newline=detect_newline(text)
    )


def _has_coding_cookie(raw: bytes) -> bool:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    return any(_CODING_COOKIE.match(line) for line in raw.splitlines()[:2])


def detect_newline(text: str) -> str:
    match = _LINE_BREAK.search(text)
    return match.group(0) if match else "\n"


@dataclass(frozen=True)
class RawFile:
    """A file's bytes as read, before decoding (the prefilter looks at these)."""

    path: str  # display path
    raw: bytes
    file_path: str  # as given to read_raw (where to write, once symlinks are resolved)
    mtime_ns: int
    mode: int


def read_raw(path: str, display_path: Optional[str] = None) -> RawFile:
    """Read a file's bytes. Raises SourceError with a short, user-facing reason."""
    display = display_path or path
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise SourceError("is a directory, expected a file", display)
            raw = handle.read()
    except SourceError:
        raise
    except OSError as error:
        # Asked only after a failure: one system call less per file on the common path.
        if os.path.islink(path) and not os.path.exists(path):
            raise SourceError("broken symbolic link", display) from None
        raise SourceError(os_reason(error), display) from None
    return RawFile(
        path=display,
        raw=raw,
        file_path=path,
        mtime_ns=info.st_mtime_ns,
        mode=stat.S_IMODE(info.st_mode),
    )


def decode_file(file: RawFile) -> SourceFile:
    """Decode what `read_raw` read. Raises SourceError for binary or undecodable data."""
    decoded = decode_source(file.raw, file.path)
    return SourceFile(
        path=file.path,
        raw=file.raw,
        text=decoded.text,
        encoding=decoded.encoding,
        newline=decoded.newline,
        real_path=os.path.realpath(file.file_path),
        mtime_ns=file.mtime_ns,
        mode=file.mode,
    )


def read_source(path: str, display_path: Optional[str] = None) -> SourceFile:
    """Read and decode a file. Raises SourceError with a short, user-facing reason."""
    return decode_file(read_raw(path, display_path))


def os_reason(error: OSError) -> str:
    if error.errno == errno.EISDIR:
        return "is a directory, expected a file"
    if error.errno == errno.ENOENT:
        return "no such file or directory"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return (error.strerror or str(error)).lower()


def with_newline_style(content: str, newline: str) -> str:
    """Inserted text uses "\\n"; a CRLF (or CR) file gets its own line endings instead."""
    if newline == "\n" or "\n" not in content:
        return content
    return _BARE_LF.sub(newline, content)


def encode_source(source: SourceFile, text: str) -> bytes:
    try:
        return text.encode(source.encoding)
    except UnicodeEncodeError as error:
        name = "utf-8" if source.encoding == "utf-8-sig" else source.encoding
        raise SourceError(
            f"fixed text cannot be encoded as {name} ({error.reason}); not written", source.path
        ) from None


def write_source(source: SourceFile, text: str) -> None:
    """Atomically replace the file's contents with `text`, encoded like the original.

    Raises SourceError (nothing written) when the file changed on disk after it was read.
    """
    if source.real_path is None:
        raise SourceError("cannot write a source that was not read from a file", source.path)
    data = encode_source(source, text)
    target = source.real_path
    directory = os.path.dirname(target) or "."
    descriptor, temporary = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(target) + ".", suffix=".cachelint-tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if source.mode is not None:
            os.chmod(temporary, source.mode)
        # Checked as late as possible: an editor or formatter may have saved the file meanwhile.
        _ensure_unchanged(source)
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise SourceError(f"cannot write: {os_reason(error)}", source.path) from None
        raise


def _ensure_unchanged(source: SourceFile) -> None:
    changed = SourceError("file changed on disk since it was read; not written", source.path)
    try:
        info = os.stat(source.real_path)
        with open(source.real_path, "rb") as handle:
            current = handle.read()
    except OSError:
        raise changed from None
    if current != source.raw or (
        source.mtime_ns is not None and info.st_mtime_ns != source.mtime_ns
    ):
        raise changed
