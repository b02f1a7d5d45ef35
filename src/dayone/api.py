"""The library API the CLI calls. No SQL here: dialects talk to databases, this module wires."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dayone.catalog import snapshot as snapshot_file
from dayone.catalog.model import Catalog, Schema
from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.target import DatabaseTarget, SnapshotTarget, Target, parse_target
from dayone.dialects.base import dialect_for
from dayone.errors import ConnectionSilent, DayoneError
from dayone.profile.options import ProfileOptions
from dayone.source_names import may_name_source

if TYPE_CHECKING:  # rules load on first audit, not for a snapshot
    from dayone.profile.model import Profile
    from dayone.profile.profiler import ProgressCallback
    from dayone.rules.engine import AuditResult


# Set by the CLI, a short-lived process of its own: see collector_paused.
FREEZE_AFTER_READ = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """A catalog is a tree of frozen dataclasses with no reference cycles, yet building one allocates
    enough objects (100k for 5,000 tables) to set off the cycle collector again and again: pausing it
    makes reading a big catalog a fifth faster.

    The first collection after the pause still walks everything built during it (0.04 s for 5,000
    tables). The CLI skips that too: with FREEZE_AFTER_READ, what exists then is moved to the
    collector's permanent generation (gc.freeze), never walked again. A library caller's heap is
    left alone: freezing it is not a library's decision."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if FREEZE_AFTER_READ:
            gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def open_session(target: DatabaseTarget, options: SessionOptions | None = None) -> Iterator[Session]:
    """A guarded read-only session, closed on every exit path (and its SSH tunnel after it)."""
    options = options or SessionOptions()
    if options.ssh is not None:
        with _session_through_tunnel(target, options) as session:
            yield session
        return
    dialect = dialect_for(target.engine)
    session = dialect.connect(target, options)
    session.reopen = lambda: dialect.connect(target, options)
    try:
        yield session
    finally:
        session.close()


_SERVER_PORTS = {"postgresql": 5432, "mysql": 3306}


@contextmanager
def _session_through_tunnel(target: DatabaseTarget, options: SessionOptions) -> Iterator[Session]:
    """The tunnel opens first; the driver connects to its 127.0.0.1 end; the session closes, then the
    tunnel. The database host and port in the URL are as the bastion sees them."""
    from dayone.connect.tunnel import open_tunnel

    ssh = options.ssh
    if target.engine not in _SERVER_PORTS:
        raise DayoneError(f"--ssh reaches database servers; {target.display} is a local file: drop --ssh")
    socket_parameter = next((k for k in ("host", "hostaddr", "unix_socket") if k in target.query), None)
    if socket_parameter:
        raise DayoneError(
            f"--ssh forwards TCP to the host and port in the URL: remove ?{socket_parameter}= from {target.display}"
        )
    remote_host = target.host or "localhost"
    remote_port = target.port or _SERVER_PORTS[target.engine]
    with open_tunnel(ssh, remote_host, remote_port, options.connect_timeout) as tunnel:
        # The display stays the user's URL. libpq connects to hostaddr but checks the server's TLS
        # certificate (sslmode=verify-full) and ~/.pgpass against host: that stays the real name.
        if target.engine == "postgresql":
            query = {**target.query, "hostaddr": tunnel.local_host}
            local = replace(target, host=remote_host, port=tunnel.local_port, query=query)
        else:
            local = replace(target, host=tunnel.local_host, port=tunnel.local_port)
        dialect = dialect_for(target.engine)
        try:
            session = dialect.connect(local, options)
        except DayoneError as exc:
            raise tunnel.explain(exc, target.display) from None
        session.target = target  # from here on, messages and the catalog name the real server

        def reopen() -> Session:  # through the same tunnel end
            second = dialect.connect(local, options)
            second.target = target
            return second

        session.reopen = reopen
        try:
            yield session
        except Exception as exc:
            if tunnel.lost():
                raise tunnel.dropped_error(target.display) from None
            if isinstance(exc, ConnectionSilent):  # named as the user named the server, not the tunnel's end
                raise tunnel.explain(exc, target.display) from None
            raise
        finally:
            session.close()


def read_catalog(
    target: str | Target,
    schemas: Sequence[str] | None = None,
    options: SessionOptions | None = None,
) -> Catalog:
    """The catalog of a database URL or a snapshot file, narrowed to `schemas` when given."""
    if isinstance(target, str):
        target = parse_target(target)
    return _read(target, schemas, options)[0]


def _checked(catalog: Catalog, schemas: Sequence[str] | None) -> Catalog:
    missing = sorted(set(schemas or ()) - {s.name for s in catalog.schemas})
    if missing:
        raise DayoneError(
            f"no schema named {', '.join(map(repr, missing))} in {catalog.database}: "
            "run without --schema to read every schema"
        )
    return catalog


def _read(
    target: Target,
    schemas: Sequence[str] | None,
    options: SessionOptions | None,
    profile: ProfileOptions | None = None,
    progress: ProgressCallback | None = None,
    skip: Callable[[Catalog], frozenset[tuple[str, str]]] | None = None,
) -> tuple[Catalog, Profile | None]:
    """The catalog and, when `profile` asks for it, the data's profile, read in the same session.
    A snapshot has no rows: its profile is None. `skip` names the tables of the catalog just read
    that the profile must not read (framework and excluded tables)."""
    asked = schemas
    if isinstance(target, SnapshotTarget):
        if options is not None and options.ssh is not None:
            raise DayoneError(f"--ssh reaches database servers; {target.display} is a snapshot file, read here: drop --ssh")
        with collector_paused():
            return _checked(_narrow(snapshot_file.read(target.path), schemas), asked), None
    dialect = dialect_for(target.engine)
    with open_session(target, options) as session:
        with collector_paused():
            catalog = _checked(dialect.read_catalog(session, dialect.schemas_to_read(target, schemas)), asked)
        if profile is None:
            return catalog, None
        from dayone.profile.profiler import profile_catalog

        if skip is not None:
            profile = replace(profile, skip=skip(catalog))
        return catalog, profile_catalog(session, dialect, catalog, profile, progress)


def snapshot(
    target: str | Target,
    output: str | Path,
    schemas: Sequence[str] | None = None,
    options: SessionOptions | None = None,
) -> Catalog:
    """Read the catalog and write it as a snapshot file (whole or not at all, never over the file
    being read); returns the catalog."""
    from dayone.fileio import refuse_input_as_output

    if isinstance(target, str):
        target = parse_target(target)
    refuse_input_as_output(output, target, option="output")
    catalog = read_catalog(target, schemas, options)
    snapshot_file.write(catalog, output)
    return catalog


def _narrow(catalog: Catalog, schemas: Sequence[str] | None) -> Catalog:
    if not schemas:
        return catalog
    from dataclasses import replace

    wanted = set(schemas)
    kept: tuple[Schema, ...] = tuple(s for s in catalog.schemas if s.name in wanted)
    return replace(catalog, schemas=kept)


def audit(
    target: str | Target | Catalog,
    schemas: Sequence[str] | None = None,
    options: SessionOptions | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    profile: ProfileOptions | None = ProfileOptions(),
    progress: ProgressCallback | None = None,
    exclude: Sequence[str] = (),
    include_framework: bool = False,
):
    """Read the catalog, profile the data (a bounded sample of each table by default; `profile=None`
    reads the catalog only) in the same session, and run the selected rules: an AuditResult.
    A snapshot or a Catalog has no rows to read: rules then see the catalog alone.

    Framework tables (dayone.frameworks) and tables matching an `exclude` glob (on schema.table)
    are neither profiled nor reported on, only listed as not audited; `include_framework` audits
    framework tables too."""
    from dayone.rules import run_rules, select_rules
    from dayone.scope import audit_scope

    rules = select_rules(select, ignore)  # before connecting: a typo should not cost a connection
    decided: list = []
    if isinstance(target, Catalog):
        catalog, found = target, None
    else:
        if isinstance(target, str):
            target = parse_target(target)
        if profile is not None and schemas and profile.schemas is None:
            profile = replace(profile, schemas=tuple(schemas))

        def skip(read: Catalog) -> frozenset[tuple[str, str]]:  # decided once, before profiling
            decided.append(audit_scope(read, exclude, include_framework))
            return frozenset(decided[0].excluded)

        catalog, found = _read(target, schemas, options, profile, progress, skip)
    scope = decided[0] if decided else audit_scope(catalog, exclude, include_framework)
    with collector_paused():
        return run_rules(catalog, rules, found, scope)


@dataclass(frozen=True)
class DemoDatabase:
    name: str
    path: Path
    snapshot: Path
    result: AuditResult


def demo(directory: str | Path) -> list[DemoDatabase]:
    """Build the embedded demo in `directory` as a dayone project (dayone.yml, a few log entries;
    one already there is kept), then audit, snapshot and check each of its databases the way a
    user's project runs them, keeping every result in the project's state."""
    from dayone.demo import build_demo
    from dayone.demo.project import make_project
    from dayone.project.runs import SourceRef, audit_source, check_source

    folder = Path(directory)
    paths = build_demo(folder)
    project, _ = make_project(folder)
    databases = []
    for path in paths:
        snapshot_path = path.with_suffix(".snapshot.json")
        if path.stem in project.file.sources:  # the demo's dayone.yml may have been edited since
            ref = SourceRef(path.stem, project.database(path.stem)[0])
            result = audit_source(project, ref)  # the main job as a user runs it: catalog and profile
            check_source(project, ref)
        else:
            result = audit(f"sqlite:///{path}")
        snapshot_file.write(result.catalog, snapshot_path)
        databases.append(DemoDatabase(path.stem, path, snapshot_path, result))
    return databases


def check(target: str | Target, options: SessionOptions | None = None, schemas: Sequence[str] | None = None):
    """The access pre-flight of a database URL (or of the facts saved in a snapshot): a CheckReport
    with one item per question of the infrastructure checklist. An unreachable server is a failed
    item, not an exception."""
    from dayone.preflight import check as run_check

    return run_check(target, options, schemas)


def report(
    target: str | Target,
    output: str | Path,
    output_format: str = "html",
    values: bool = True,
    schemas: Sequence[str] | None = None,
    options: SessionOptions | None = None,
    profile: ProfileOptions | None = ProfileOptions(),
    progress: ProgressCallback | None = None,
) -> Path:
    """Audit `target` (a database URL: catalog and a profile; a snapshot: its catalog) and check its
    access, then write the report site (or Markdown pages) into the folder `output`. `values=False`
    keeps every value of the data out, value sets too. Returns the page to open first."""
    from datetime import datetime, timezone

    from dayone.fileio import refuse_input_as_output
    from dayone.render.check_formats import to_dict
    from dayone.render.site import Site, check_output, write_site
    from dayone.render.site.model import source_of

    if isinstance(target, str):
        target = parse_target(target)
    refuse_input_as_output(output, target, option="output")
    check_output(Path(output))
    if profile is not None and not values:
        profile = replace(profile, keep_values=False)
    result = audit(target, schemas, options, profile=profile, progress=progress)
    checked = to_dict(check(target, options, schemas))
    site = Site(result.catalog.database, [source_of(result, check=checked)], values=values,
                generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))  # fmt: skip
    return write_site(site, output, output_format)


def report_project(
    project,
    output: str | Path,
    output_format: str = "html",
    values: bool = True,
    sources: Sequence[str] | None = None,
    env: str | None = None,
    refresh: bool = False,
    results: dict | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """The report of a project (dayone.project.Project): every source (or `sources`) from its kept
    results, audited and checked again with `refresh` (kept audits hold no profile: a refresh reads
    the rows), with the questionnaire, the metrics, the log and the drift history."""
    from dayone.project.report import project_site
    from dayone.render.site import check_output, write_site

    check_output(Path(output))
    site = project_site(project, sources=list(sources) if sources is not None else None, env=env, refresh=refresh,
                        values=values, results=results, progress=progress)  # fmt: skip
    return write_site(site, output, output_format)


def export_dbt(audits: Sequence[tuple[str, AuditResult]], output: str | Path, force: bool = False):
    """Write the dbt sources, staging models and snapshots of each (source name, audit) into the dbt
    project whose root is `output` (a dbt_project.yml only when it has none): a WriteReport. Files
    the user edited since dayone wrote them stop the export (dayone.export.files) unless `force`."""
    from dayone.export.dbt import dbt_files, dbt_name
    from dayone.export.facts import export_facts
    from dayone.export.files import write_export

    folder = Path(output)
    project = dbt_name(folder.resolve().name)
    files: dict[str, object] = {}
    for name, result in audits:
        for file in dbt_files(export_facts(result), name, project):
            files.setdefault(file.path, file)  # dbt_project.yml: once
    return write_export(folder, list(files.values()), force, what="dayone export dbt")


@dataclass(frozen=True)
class DiffSide:
    """One side of a diff as the user named it: a snapshot file, a database, a source's latest
    snapshot (OLD) or live database (NEW), or SOURCE@TAG."""

    label: str
    target: Target | None = None  # read when the diff runs
    path: Path | None = None  # a snapshot kept in the project
    source: object | None = None  # the project's SourceRef, when a source named it
    schemas: tuple[str, ...] | None = None
    options: SessionOptions | None = None


def diff_side(text: str, side: str, project=None, env: str | None = None) -> DiffSide:
    """What OLD or NEW names. Inside a project a source's name is its latest snapshot as OLD and its
    live database as NEW; SOURCE@TAG is its latest snapshot with that tag."""
    name, at, tag = text.partition("@")
    word = may_name_source(text)
    names_source = project is not None and word
    if not names_source or (at and not tag):
        if project is None and word:
            raise DayoneError(f"{text!r} names no file, and no project is here to hold a source of that name: give a "
                              "snapshot file or a database URL, or run inside a project (dayone init)")  # fmt: skip
        target = parse_target(text)  # once: a password command runs once
        return DiffSide(label=target.display if "://" in text else text, target=target)
    from dayone.project.drift import check_tag, snapshot_path, snapshot_stamp
    from dayone.project.runs import SourceRef, target_of

    chosen, database = project.database(name, env)
    ref = SourceRef(name, chosen)
    if at:
        return DiffSide(label=f"{ref.label}@{check_tag(tag)}", path=snapshot_path(project, ref, tag), source=ref)
    if side == "old":
        path = snapshot_path(project, ref)
        return DiffSide(label=f"{ref.label} (snapshot {snapshot_stamp(path)})", path=path, source=ref)
    _, target, options = target_of(project, name, chosen)
    return DiffSide(label=f"{ref.label} (live)", target=target, source=ref, schemas=tuple(database.schemas or ()) or None,
                    options=options)  # fmt: skip


def diff(old: DiffSide, new: DiffSide, schemas: Sequence[str] | None = None, options: SessionOptions | None = None,
         profile: bool = True, project=None):  # fmt: skip
    """Compare two sides (dayone.diff): read each (a database read-only, with the session guards),
    profile both when both are live databases and `profile` allows, and name the project's metrics
    of the source a side names. A snapshot of another format version or engine is one clear line."""
    from dayone.diff import diff_catalogs, ensure_comparable

    live = all(isinstance(s.target, DatabaseTarget) for s in (old, new))
    ref = new.source or old.source
    wants_metrics = project is not None and ref is not None and any(m.source == ref.name for m in project.file.metrics.values())
    files = [s.path or (s.target.path if isinstance(s.target, SnapshotTarget) else None) for s in (old, new)]
    read = []
    if None not in files and not wants_metrics:  # two files: tables the same in both need no reading
        from dayone.diff.snapshots import read_pair

        with collector_paused():
            pair = read_pair(*files)  # type: ignore[arg-type]
        read = [(_checked(_narrow(c, schemas or s.schemas), schemas or s.schemas), None) for c, s in zip(pair, (old, new))]
    for side in (old, new) if not read else ():
        if side.path is not None:
            with collector_paused():
                read.append((_narrow(snapshot_file.read(side.path), schemas or side.schemas), None))
            continue
        chosen_options = options or side.options
        if options is not None and side.options is not None and options.ssh is None and side.options.ssh is not None:
            chosen_options = replace(options, ssh=side.options.ssh)
        wanted = ProfileOptions() if live and profile else None
        read.append(_read(side.target, schemas or side.schemas, chosen_options, wanted))
    (old_catalog, old_profile), (new_catalog, new_profile) = read
    ensure_comparable(old_catalog, new_catalog, old.label, new.label)
    metrics = ()
    if wants_metrics:
        from dayone.project.drift import metric_uses

        metrics = metric_uses(project, ref, old_catalog, new_catalog)
    return diff_catalogs(old_catalog, new_catalog, old_profile, new_profile, metrics, old.label, new.label)


def export_contract(audits: Sequence[tuple[str, AuditResult, Target | None]], output: str | Path, force: bool = False,
                    environments: dict[str, str] | None = None, into_folder: bool = False):  # fmt: skip
    """Write one ODCS v3 data contract per (source name, audit, target): with one audit, `output`
    is the file (unless it is a folder, or `into_folder`); with several, the folder that gets
    <source>.odcs.yaml each. The server entry names
    the target's host, port, database and schema, never a login. A file the user edited since dayone
    wrote it stops the export (dayone.export.files) unless `force`: a WriteReport. `environments`:
    a project source's environment (prod, staging, dev) by source name, named in its server entry."""
    from dayone.export.contract import contract_document
    from dayone.export.yamltext import to_yaml
    from dayone.export.facts import export_facts

    files = []
    for name, result, target in audits:
        document = contract_document(export_facts(result), name, _contract_server(target, (environments or {}).get(name)))
        files.append((f"{name}.odcs.yaml", to_yaml(document)))
    return _write_exports(files, output, force, "dayone export contract", into_folder)


def export_sync(audits: Sequence[tuple[str, AuditResult]], output_format: str, output: str | Path | None,
                force: bool = False, into_folder: bool = False):  # fmt: skip
    """The extraction plan of each (source name, audit) as dayone JSON, an Airbyte configured
    catalog or a Singer catalog. Without `output` (one audit only): the text, written nowhere;
    else a WriteReport, as export_contract (files named <source>.<format>.json in a folder)."""
    from dayone.export.facts import export_facts
    from dayone.export.sync import render

    suffix = {"json": "sync", "airbyte": "airbyte", "singer": "singer"}[output_format]
    files = [(f"{name}.{suffix}.json", render(export_facts(result), name, output_format)) for name, result in audits]
    if output is None:
        return files[0][1]
    return _write_exports(files, output, force, f"dayone export sync --format {output_format}", into_folder)


def _contract_server(target: Target | None, environment: str | None):
    from dayone.export.contract import Server

    if not isinstance(target, DatabaseTarget):
        return None
    return Server(target.engine, target.host or ("localhost" if target.engine != "sqlite" else None), target.port,
                  target.database, environment)  # fmt: skip


def _write_exports(files: list[tuple[str, str]], output: str | Path, force: bool, what: str, into_folder: bool = False):
    """One file: `output` is that file (unless it is a folder, or `into_folder`); several: their folder."""
    from dayone.export.files import ExportFile, write_export

    path = Path(output)
    if len(files) == 1 and not into_folder and not path.is_dir():
        folder, names = path.parent, [path.name]
    else:
        if path.exists() and not path.is_dir():
            raise DayoneError(f"{path} is a file: with several sources, --output names the folder that gets one file per source")
        folder, names = path, [name for name, _ in files]
    exported = [ExportFile(name, text.encode("utf-8")) for name, (_, text) in zip(names, files)]
    return write_export(folder, exported, force, what=what)
