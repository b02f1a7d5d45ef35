"""Files dayone writes: whole or not at all, and never over what it reads.

Every report, snapshot and page goes through `write_atomically`: the bytes go to a temporary file
beside the destination, reach the disk (fsync; a report need not wait for it), and replace the
destination in one rename. A full disk, a file size limit or Ctrl-C midway leaves the previous file as it was and no temporary file.
The destination keeps its permissions; through a symlink, the file it points to is replaced. A
destination that is not a regular file (/dev/stdout, a named pipe) is written in place: there is
nothing to replace there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from dayone.errors import DayoneError

if TYPE_CHECKING:
    from dayone.connect.target import Target

# What SQLite keeps beside a database, and reads as part of it.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def write_atomically(path: str | os.PathLike[str], data: bytes | str, durable: bool = True) -> None:
    """Write `data` (str as UTF-8) to `path`, or raise DayoneError naming the path and the cause.

    `durable=False` skips waiting for the disk (fsync) for a file dayone can write again at will, a
    report: still whole or not at all for its readers, but a crash of the machine right after may
    leave the previous version (flushing a 25 MB JSON report costs 20-80 ms, a tenth of an audit).
    Snapshots, baselines and the project's files stay durable: they are state."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        _replace(Path(os.path.realpath(path)), data, durable)
    except _CannotCreate as exc:
        if isinstance(exc.error, FileNotFoundError):
            raise DayoneError(f"cannot write {os.fspath(path)}: folder {exc.folder} does not exist") from None
        raise DayoneError(f"cannot write {os.fspath(path)}: cannot create a file in {exc.folder}: {reason(exc.error)}") from None
    except OSError as exc:
        raise DayoneError(f"cannot write {os.fspath(path)}: {reason(exc)}") from None


def reason(error: OSError) -> str:
    """The system's words for an error, as the middle of a sentence: "no space left on device"."""
    text = error.strerror or (os.strerror(error.errno) if error.errno else type(error).__name__)
    return text[:1].lower() + text[1:]


class _CannotCreate(Exception):
    def __init__(self, folder: Path, error: OSError):
        self.folder, self.error = folder, error


def _replace(path: Path, data: bytes, durable: bool = True) -> None:
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, "wb") as handle:  # a device or a pipe: written in place
            handle.write(data)
        return
    temporary = path.with_name(f".{path.name[:200]}.{os.urandom(4).hex()}.tmp")  # beside it: the rename stays on one file system
    # A new file gets 0666 less the umask, as open() would give it; an existing one keeps its mode.
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        raise _CannotCreate(path.parent, exc) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if existing is not None:
                _keep_owner_and_mode(fd, existing)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:  # including KeyboardInterrupt: the previous file stays, the temporary goes
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        _sync_folder(path.parent)


def _keep_owner_and_mode(fd: int, existing: os.stat_result) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(existing.st_mode))  # the umask applied at creation; the old mode wins
    if hasattr(os, "fchown") and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):  # only root may give a file away: others leave it theirs
            os.fchown(fd, existing.st_uid, existing.st_gid)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; where a folder cannot be opened (Windows), skip it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def refuse_input_as_output(output: str | os.PathLike[str] | None, target: str | Target, option: str = "-o") -> None:
    """Raise DayoneError when `output` names a file `target` reads: the snapshot, the SQLite
    database or one of its companions (-wal, -shm, -journal). A database server reads no file here."""
    if output is None or os.fspath(output) == "-":
        return
    read = _files_read(target)
    if not read:
        return
    written = Path(os.path.realpath(output))
    for path, what in read:
        real = Path(os.path.realpath(path))
        if written == real or (written.exists() and real.exists() and os.path.samefile(written, real)):
            raise DayoneError(f"{option} {os.fspath(output)} is the {what} being read: write to another file")


def _files_read(target: str | Target) -> list[tuple[Path, str]]:
    from dayone.connect.target import DatabaseTarget, SnapshotTarget, parse_target

    if isinstance(target, str):
        if "://" in target and not target.lower().startswith("sqlite"):
            return []  # a server: and parsing it would look for its password
        target = parse_target(target)
    if isinstance(target, SnapshotTarget):
        return [(target.path, "snapshot")]
    if isinstance(target, DatabaseTarget) and target.engine == "sqlite" and target.database:
        database = Path(os.path.realpath(target.database))  # SQLite names its companions after the real path
        companions = [(Path(f"{database}{suffix}"), f"{suffix[1:]} file of the SQLite database") for suffix in SQLITE_COMPANIONS]
        return [(database, "SQLite database"), *companions]
    return []
