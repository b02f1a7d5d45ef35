"""`dayone report`: the audit, the profile, the catalog and the project as a static site (HTML) or
as Markdown pages. See html.py and markdown.py for the pages; this module writes the folder.

The folder is written whole or not at all: the pages go to a new folder beside it, which then takes
its place. A folder that is there already is replaced only when dayone wrote it (it holds
MARKER) or it is empty: a report never deletes a user's files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dayone.errors import DayoneError
from dayone.fileio import reason
from dayone.render.site.model import Site, SiteSource

__all__ = ["MARKER", "Site", "SiteSource", "write_site"]

MARKER = ".dayone-report"
FORMATS = ("html", "markdown")


def write_site(site: Site, output: str | os.PathLike[str], output_format: str = "html") -> Path:
    """Write the report of `site` into the folder `output`; the page to open first."""
    folder = Path(output)
    parent = check_output(folder)
    try:
        building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as exc:
        raise DayoneError(f"cannot write {folder}: cannot create a folder in {parent}: {reason(exc)}") from None
    try:
        if output_format == "markdown":
            from dayone.render.site.markdown import write_markdown

            write_markdown(site, building)
            first = "README.md"
        else:
            from dayone.render.site.html import write_html

            write_html(site, building)
            first = "index.html"
        (building / MARKER).write_text("written by dayone report: the whole folder is replaced by the next report\n")
        building.chmod(0o755)
        _swap(building, folder)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise DayoneError(f"cannot write {folder}: {reason(exc)}") from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return folder / first


def check_output(folder: Path) -> Path:
    """Refuse, before anything is read, an --output the report cannot or must not replace; its parent."""
    _refuse_foreign(folder)
    parent = folder.resolve().parent
    if not parent.is_dir():
        raise DayoneError(f"cannot write {folder}: folder {parent} does not exist")
    return parent


def _refuse_foreign(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise DayoneError(f"{folder} is a file: --output names a folder to write the report into")
    if folder.is_dir() and not (folder / MARKER).exists() and any(folder.iterdir()):
        raise DayoneError(f"{folder} already holds files dayone did not write: choose a new folder for --output, or empty it")


def _swap(built: Path, folder: Path) -> None:
    """`built` takes the place of `folder`; the old report is deleted only once the new one is there."""
    if not folder.exists():
        os.replace(built, folder)
        return
    if not any(folder.iterdir()):
        os.rmdir(folder)
        os.replace(built, folder)
        return
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    os.replace(folder, old)
    try:
        os.replace(built, folder)
    except OSError:
        os.replace(old, folder)  # put the previous report back
        raise
    shutil.rmtree(old, ignore_errors=True)
