"""Writing an export's files beside the user's own, without ever losing an edit.

dayone keeps a manifest (`.dayone-export.json` in the output folder) of every file it wrote, with
the SHA-256 of the bytes it wrote. On the next export a file is replaced only when it still holds
exactly those bytes (nobody edited it); a file that was edited, or that dayone never wrote, is left
alone, and the export stops before writing anything, naming each such file, unless `force` is given.
Files that are only created when absent (a dbt_project.yml) are never replaced, with or without force.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from dayone.errors import DayoneError
from dayone.fileio import write_atomically

MANIFEST = ".dayone-export.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ExportFile:
    path: str  # relative to the output folder, with forward slashes
    data: bytes
    only_when_absent: bool = False  # the user's from the moment it exists (dbt_project.yml)


@dataclass
class WriteReport:
    folder: Path
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # only_when_absent files already there
    overwritten: list[str] = field(default_factory=list)  # edited by the user, replaced with force
    stale: list[str] = field(default_factory=list)  # written by an earlier export, no longer exported: left in place

    def summary(self) -> str:
        parts = [f"{len(self.created)} new", f"{len(self.changed)} updated", f"{len(self.unchanged)} unchanged"]
        if self.overwritten:
            parts.append(f"{len(self.overwritten)} edited files overwritten (--force)")
        return ", ".join(parts)


class EditedFiles(DayoneError):
    """Files the export would change that the user edited (or that dayone did not write)."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_export(folder: str | Path, files: list[ExportFile], force: bool = False, what: str = "dayone export") -> WriteReport:
    """Write `files` under `folder` (created if needed), keeping the manifest; see the module's doc."""
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise DayoneError(f"{root} is a file: --output names the folder to write into")
    manifest = _read_manifest(root)
    written = dict(manifest.get("files", {}))
    report = WriteReport(root)
    plan: list[ExportFile] = []
    refused: list[str] = []
    for file in sorted(files, key=lambda f: f.path):
        parts = Path(file.path).parts
        if not parts or Path(file.path).is_absolute() or ".." in parts:
            # a name from the database (the database's own, in a file name) must not lead out of the folder
            raise DayoneError(f"{file.path!r} would be written outside {root}: the database's name cannot name a file; "
                              "add it as a project source (dayone source add NAME URL) to name it")  # fmt: skip
        path = root / file.path
        if not path.exists():
            report.created.append(file.path)
            plan.append(file)
            continue
        if file.only_when_absent:
            report.kept.append(file.path)
            continue
        try:
            current = path.read_bytes()
        except OSError as exc:
            raise DayoneError(f"cannot read {path}: {exc.strerror or exc}") from None
        if current == file.data:
            report.unchanged.append(file.path)
            written[file.path] = digest(file.data)
            continue
        if written.get(file.path) == digest(current):
            report.changed.append(file.path)
        elif force:
            report.overwritten.append(file.path)
        else:
            refused.append(file.path)
            continue
        plan.append(file)
    if refused:
        shown = ", ".join(refused[:10]) + (f" and {len(refused) - 10} more" if len(refused) > 10 else "")
        raise EditedFiles(
            f"{len(refused)} file(s) in {root} were edited since {what} wrote them (or were not written by it) and would "
            f"change: {shown}; nothing was written: rerun with --force to overwrite them"
        )
    exported = {f.path for f in files}
    report.stale = sorted(p for p in written if p not in exported and (root / p).exists())
    for file in plan:
        target = root / file.path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DayoneError(f"cannot create folder {target.parent}: {exc.strerror or exc}") from None
        # not waiting for the disk: dayone can write these again at will, and after a crash a file
        # that does not match the manifest only reads as edited (refused, never overwritten)
        write_atomically(target, file.data, durable=False)
        if not file.only_when_absent:
            written[file.path] = digest(file.data)
    kept = {p: h for p, h in sorted(written.items()) if (root / p).exists()}
    data = json.dumps({"format": MANIFEST_FORMAT, "written_by": what, "files": kept}, indent=2, sort_keys=True) + "\n"
    if not (root / MANIFEST).exists() or (root / MANIFEST).read_text(encoding="utf-8") != data:
        write_atomically(root / MANIFEST, data)
    return report


def _read_manifest(root: Path) -> dict:
    path = root / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DayoneError(f"{path} is not the manifest dayone writes: remove it to start over (every existing file is then kept unless --force)") from None  # fmt: skip
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise DayoneError(f"{path} is not the manifest dayone writes: remove it to start over (every existing file is then kept unless --force)")  # fmt: skip
    return data
