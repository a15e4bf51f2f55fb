"""Atomic output files: written beside the target, renamed into place only when complete.

A temporary file is named `.{target name}.nlp-tmp-{kind}-{random}` and stays locked (flock)
for as long as its writer holds it open, so a later run can tell an abandoned one (its writer
was killed) from one that a live process is still writing, and each kind of writer (posts,
reports, datasets) cleans only its own kind.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable

from .errors import ConfigError, NlpError

try:
    import fcntl
except ImportError:  # Windows: no flock, so no telling a live writer's file from a leftover; none is removed
    fcntl = None

TEMP_MARK = ".nlp-tmp-"  # in every temporary file's name: .{target name}.nlp-tmp-{kind}-{random}
_TEMP_NAME = re.compile(rf"\..+{re.escape(TEMP_MARK)}([a-z]+)-[a-z0-9_]{{8}}")
_UMASK_LOCK = threading.Lock()


@contextlib.contextmanager
def atomic_output(path: Path, mode: int | None = None, kind: str = "file",
                  unchanged: Callable[[], None] | None = None):
    """Yield a locked temporary path in the target's folder; on success it replaces `path` in one rename.

    `mode` None keeps the mode of the file replaced, or gives a new file what the umask allows.
    `unchanged` runs immediately before the rename and raises to refuse it (the target changed).
    On any error or interrupt the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    fd, tmp = _locked_temporary(path, kind)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        if unchanged is not None:
            unchanged()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        if fd is not None:
            os.close(fd)


def _locked_temporary(path: Path, kind: str) -> tuple[int | None, str]:
    """A new temporary file and the descriptor holding its lock (None where there is no flock);
    retried if a cleaner removed the file before the lock was taken."""
    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}{kind}-", dir=path.parent)
        if fcntl is None:
            os.close(fd)
            return None, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(os.fstat(fd), os.stat(tmp)):
                return fd, tmp
        os.close(fd)


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask; read from /proc where it can be, as setting it to read it races with threads."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def remove_leftovers(folder, kind: str) -> list[Path]:
    """Delete the temporary files of `kind` in `folder` that no live process holds (SIGKILL, power cut)."""
    removed = []
    for tmp in sorted(Path(folder).glob(f".*{TEMP_MARK}{kind}-*")):
        found = _TEMP_NAME.fullmatch(tmp.name)
        if found and found.group(1) == kind and _remove_if_abandoned(tmp):
            removed.append(tmp)
    return removed


def _remove_if_abandoned(tmp: Path) -> bool:
    if fcntl is None:
        return False
    try:
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: its writer is alive
        if not os.path.samestat(os.fstat(fd), os.stat(tmp)):
            return False  # renamed into place meanwhile
        os.unlink(tmp)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def write_new_file(path: Path, text: str) -> None:
    """Write a text file (a report) atomically; a full disk or a locked folder is a clear NlpError.

    Characters that UTF-8 cannot hold (file names that are not UTF-8) are written as escapes.
    Report temporaries that a killed run left in the folder are removed first.
    """
    try:
        remove_leftovers(Path(path).parent, "report")
        with atomic_output(path, kind="report") as tmp:
            tmp.write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        raise NlpError(f"{path}: cannot write: {exc.strerror or exc}") from None


def check_output_path(path, inputs: Iterable, report_keys: Iterable[str] | None = None) -> Path:
    """Refuse, before any work, an output that is one of the inputs or sits in a missing or locked
    folder; with `report_keys`, also one that would replace a non-empty file that is not a report
    (a JSON object holding those keys)."""
    path = Path(path)
    real = os.path.realpath(path)
    if any(os.path.realpath(p) == real for p in inputs):
        raise ConfigError(f"{path}: is one of the inputs; choose another output file")
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"{path}: folder {folder} is not writable")
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; expected a file name")
    if report_keys is not None and path.exists() and path.stat().st_size and not _is_report(path, set(report_keys)):
        raise ConfigError(f"{path}: exists and is not a report of this command; not overwritten")
    return path


def _is_report(path: Path, keys: set[str]) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and keys <= set(data)
