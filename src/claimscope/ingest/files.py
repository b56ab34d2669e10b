"""Opening an input file: regular files only, so that a FIFO, a device or a socket is never read.

Opening a named pipe blocks until something writes to it, and a device can stream forever: the
file's type is checked with ``os.stat`` before it is opened, and again on the open descriptor
(opened non-blocking, so a file swapped for a FIFO in between cannot block either).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from claimscope.errors import InputError

_SPECIAL: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _unreadable(exc: OSError, source: str) -> InputError:
    """The one-line error for a file that cannot be read."""
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return InputError("no such file", source=source)
    if isinstance(exc, PermissionError):
        return InputError("permission denied", source=source)
    return InputError(f"cannot read file: {exc.strerror or exc}", source=source)


def check_regular(path: str | Path, *, source: str | None = None) -> os.stat_result:
    """The file's status; InputError unless ``path`` is a regular file (nothing is opened)."""
    source = source or str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unreadable(exc, source) from None
    _refuse_special(info.st_mode, source)
    return info


def open_regular(path: str | Path, *, source: str | None = None) -> BinaryIO:
    """``path`` opened for reading bytes; InputError, before any open, unless it is a regular
    file (a FIFO, a device, a socket or a folder is refused in one line)."""
    source = source or str(path)
    check_regular(path, source=source)
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise _unreadable(exc, source) from None
    try:
        _refuse_special(os.fstat(fd).st_mode, source)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _refuse_special(mode: int, source: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, not a file", source=source)
    kind = next((name for test, name in _SPECIAL if test(mode)), "a special file")
    raise InputError(f"is {kind}, not a regular file: only regular files are read", source=source)
