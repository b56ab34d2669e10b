"""Only regular files are read: FIFOs, devices and sockets are refused in one line, unopened."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.errors import InputError
from claimscope.ingest import iter_documents, read_path
from claimscope.ingest.files import check_regular, open_regular
from claimscope.ingest.inputs import iter_inputs
from claimscope.ingest.warc import read_warc
from claimscope.model import Document, Failure
from claimscope.settings import Settings

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

STORY = "The harbour authority said on Monday that 40 boats were moved before the storm.\n"
# Long enough for a healthy call, short enough that a blocked open fails the test quickly.
DEADLINE = 30.0


def within(fifo: Path, call: Callable[[], Any]) -> Any:
    """``call()``'s result; the test fails, instead of hanging, when it blocks on ``fifo``."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = call()
        except BaseException as exc:  # handed to the test's thread
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if thread.is_alive():
        # Opening the FIFO for writing releases a reader blocked on it, so the thread ends.
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(5)
        pytest.fail(f"blocked on the FIFO {fifo} for {DEADLINE:.0f} s: it was opened")
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    return path


@needs_fifo
def test_files_read_path_refuses_a_fifo_without_opening_it(fifo: Path) -> None:
    with pytest.raises(InputError) as info:
        within(fifo, lambda: read_path(fifo))
    assert str(info.value) == (
        f"{fifo}: is a named pipe (FIFO), not a regular file: only regular files are read"
    )


@needs_fifo
def test_files_open_regular_and_check_regular_refuse_a_fifo(fifo: Path) -> None:
    with pytest.raises(InputError, match="named pipe"):
        within(fifo, lambda: open_regular(fifo))
    with pytest.raises(InputError, match="named pipe"):
        check_regular(fifo)


def test_files_character_device_is_refused() -> None:
    if not os.path.exists(os.devnull) or os.name != "posix":
        pytest.skip("no /dev/null")
    with pytest.raises(InputError, match="is a character device, not a regular file"):
        read_path(os.devnull)


def test_files_socket_is_refused() -> None:
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets here")
    # A short folder: a socket's path has a length limit (about 100 bytes).
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.txt"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(path))
            with pytest.raises(InputError, match="is a socket, not a regular file"):
                read_path(path)
        finally:
            server.close()


def test_files_regular_file_and_folder(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(STORY, encoding="utf-8")
    with open_regular(good) as handle:
        assert handle.read() == STORY.encode()
    with pytest.raises(InputError, match="is a directory, not a file"):
        open_regular(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        open_regular(tmp_path / "missing.txt")


@needs_fifo
def test_files_batch_records_the_fifo_and_reads_the_file_beside_it(
    tmp_path: Path, fifo: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(STORY, encoding="utf-8")
    warc = tmp_path / "pipe.warc"
    os.mkfifo(warc)
    items = within(fifo, lambda: list(iter_inputs([tmp_path], settings=Settings())))
    assert [type(i).__name__ for i in items] == ["Document", "Failure", "Failure"]
    doc, *failures = items
    assert isinstance(doc, Document) and doc.text == STORY
    assert all(isinstance(f, Failure) and "named pipe (FIFO)" in f.error for f in failures)
    assert [f.source for f in failures] == [str(fifo), str(warc)]

    items = within(fifo, lambda: list(iter_documents([fifo, good])))
    assert isinstance(items[0], Failure) and isinstance(items[1], Document)
    with pytest.raises(InputError, match="named pipe"):
        within(warc, lambda: list(read_warc(warc)))


@needs_fifo
def test_files_cli_analyze_of_a_fifo_is_one_line_exit_2(fifo: Path) -> None:
    result = within(
        fifo, lambda: CliRunner().invoke(app, ["analyze", str(fifo), "--profile", "rules"])
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {fifo}: is a named pipe (FIFO), not a regular file: only regular files are read\n"
    )
