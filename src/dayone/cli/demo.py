"""`dayone demo`: a small launch of four databases, built locally as a dayone project, run through dayone."""

from __future__ import annotations

from pathlib import Path

import click

from dayone import api
from dayone.cli.output import standard_output
from dayone.fileio import write_atomically


@click.command()
@click.option("--dir", "directory", default="dayone-demo", show_default=True, type=click.Path(file_okay=False),
              help="Where to build the demo project: its databases, dayone.yml, state and reports.")  # fmt: skip
@click.option("--show-info/--hide-info", default=False, show_default=True, help="List info findings too.")
def demo(directory, show_info):
    """Build the embedded demo (no server needed) and run dayone on it.

    Four SQLite databases of a collectibles company launching a single login, grading
    submissions, a vault and a collection feature, with the problems real launches have; made a
    dayone project (sources, people, day-1 metrics, a running log), audited and checked, shown
    with `dayone status`, and written as a report site (reports/site/index.html). Run again, it
    rebuilds the databases and keeps the project's dayone.yml and log.
    """
    from dayone.project import require_project
    from dayone.project.status import build_status
    from dayone.render import audit_formats
    from dayone.render.demo_text import print_demo

    folder = Path(directory)
    databases = api.demo(folder)
    reports = folder / "reports"
    reports.mkdir(exist_ok=True)
    for database in databases:
        write_atomically(reports / f"{database.name}.audit.md", audit_formats.to_markdown(database.result))
        write_atomically(reports / f"{database.name}.audit.json", audit_formats.to_json(database.result))
    project = require_project(str(folder))
    status = build_status(project)
    # the audits just run hold the profile (value sets, null shares) that kept audits do not
    site = api.report_project(project, reports / "site", results={d.name: d.result for d in databases})
    with standard_output():
        print_demo(databases, folder.resolve(), status, directory, show_info=show_info, report=site.resolve())
