"""Atomic output files: written beside the target, renamed into place only when complete."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import NlpError

TEMP_MARK = ".nlp-tmp-"  # in every temporary file's name: .{target name}.nlp-tmp-{random}


@contextlib.contextmanager
def atomic_output(path: Path, mode: int | None = None):
    """Yield a temporary path in the target's folder; on success it replaces `path` in one rename.

    On any error or interrupt the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_new_file(path: Path, text: str) -> None:
    """Write a text file (a report) atomically; a full disk or a locked folder is a clear NlpError."""
    try:
        with atomic_output(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NlpError(f"{path}: cannot write: {exc.strerror or exc}") from None
