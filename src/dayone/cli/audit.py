"""`dayone audit` and `dayone rules`."""

from __future__ import annotations

import sys

import click

from dayone import api
from dayone.cli.options import target_options
from dayone.cli.output import standard_output, write_report
from dayone.fileio import refuse_input_as_output
from dayone.profile.options import DEFAULT_PAGE_BUDGET, DEFAULT_SAMPLE_ROWS, TIERS, ProfileOptions

FORMATS = ("text", "json", "markdown", "sarif")
PROFILE_TIERS = (*TIERS, "none")


@click.command()
@target_options(every_source=True)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report here (default: standard output).")
@click.option("--select", multiple=True, metavar="RULE", help="Run only these rules (name, code or family; repeatable).")
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules (name, code or family; repeatable).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error", show_default=True, help="Exit 1 when a finding is at least this severe.")
@click.option("--show-info/--hide-info", default=True, show_default=True, help="List info findings in the text report.")
@click.option("--profile", "tier", type=click.Choice(PROFILE_TIERS), default=None, help=(
    "How much of the data to read: statistics (only what the server keeps, no table read), sample (one "
    "query per table over about --page-budget pages; the default), full (every row, once), none (catalog only).  "
    "[default: sample]"))  # fmt: skip
@click.option("--full", is_flag=True, help="Same as --profile full: read every row of every table once.")
@click.option("--no-profile", is_flag=True, help="Same as --profile none: read the catalog only.")
@click.option("--page-budget", type=click.IntRange(min=1), default=DEFAULT_PAGE_BUDGET, show_default=True, metavar="PAGES",
              help="Pages a sample reads at most per table (PostgreSQL 8 kB, InnoDB 16 kB).")  # fmt: skip
@click.option("--sample-rows", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_ROWS, show_default=True, metavar="ROWS",
              help="Rows a sample reads about per table, when fewer pages than --page-budget hold them; a table no bigger is read whole.")  # fmt: skip
@click.option("--no-values", is_flag=True, help="Keep no values of the data in the report, not even the value sets of low-cardinality columns.")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Leave out tables matching this glob on schema.table (or on the table name, without a dot); repeatable. They are neither read nor reported on.")
@click.option("--include-framework", is_flag=True, help="Audit framework tables too (schema_migrations, active_storage_*, django_*, job queues...), which are otherwise listed once as not audited.")
@click.option("--expand", is_flag=True, help="List every finding under its group (the text and Markdown reports list a few targets per group).")
@click.option("--baseline", "baseline_file", metavar="FILE", help="Leave out the findings FILE accepted (written by --write-baseline): report and fail on new ones only.")
@click.option("--write-baseline", metavar="FILE", help="Record every finding of this audit in FILE (sorted JSON), to accept them with --baseline FILE.")
def audit(target, schemas, options, workspace, output_format, output, select, ignore, fail_on, show_info, tier, full, no_profile, page_budget, sample_rows, no_values, exclude, include_framework, expand, baseline_file, write_baseline):
    """Answer the data model and data flow checklist for TARGET.

    Inside a project folder (`dayone init`), TARGET may be a source's name (--env chooses its
    database), and its audit is kept in the project's state; without TARGET every source is audited,
    --jobs at a time, and one summary is printed (text or json).

    The data is profiled in the same read-only session as the catalog: by default a bounded block
    sample of each table (see --profile). A snapshot file has no data: its audit uses the catalog.

    The report opens with the verdict per checklist section, then asks one question per group of
    findings that share a cause (--expand lists every finding; --format json holds them all).

    Exit status: 0 when no finding reaches --fail-on (with --baseline: no new one), 1 when one does,
    2 when the audit could not run (without TARGET: when a source could not be read), 130 when
    interrupted (Ctrl-C stops dayone's running statement on the server first).
    """
    from dayone.cli.progress import ProfileProgress
    from dayone.render import audit_formats
    from dayone.render.audit_text import print_audit

    from dayone import baseline

    profile = _profile_options(tier, full, no_profile, page_budget, sample_rows, no_values)
    if workspace is not None and workspace.ref is None:
        _every_source(workspace, output_format, output, fail_on, baseline_file, write_baseline, select, ignore)
    refuse_input_as_output(output, target)
    refuse_input_as_output(write_baseline, target, "--write-baseline")
    accepted = baseline.read(baseline_file) if baseline_file else None  # a typo should not cost an audit
    with ProfileProgress() as progress:
        result = api.audit(target, schemas, options, select=select, ignore=ignore, profile=profile, progress=progress,
                           exclude=exclude, include_framework=include_framework)  # fmt: skip
    if workspace is not None:  # a project's source: kept in its state, before a baseline leaves findings out
        from dayone.project.runs import keep_audit

        result = keep_audit(workspace.project, workspace.ref, result)  # with the project's answers acknowledged
    if write_baseline:
        count = baseline.write(result, write_baseline)
        click.echo(f"wrote {write_baseline}: {count:,} findings accepted", err=True)
    if accepted is not None:
        result = baseline.apply(result, accepted, baseline_file)
    # a report of 30,000 findings allocates as many short-lived objects, none in a cycle: without the
    # collector walking the heap each time they add up (0.1-0.2 s for a 5,000-table schema)
    with api.collector_paused():
        if output_format == "text" and output is None:
            with standard_output():
                print_audit(result, show_info=show_info, expand=expand)
        else:
            if output_format == "text":
                import io

                buffer = io.StringIO()
                print_audit(result, show_info=show_info, expand=expand, file=buffer, width=120)
                text = buffer.getvalue()
            else:
                text = {"json": audit_formats.json_bytes, "markdown": lambda r: audit_formats.to_markdown(r, expand),
                        "sarif": audit_formats.to_sarif}[output_format](result)  # fmt: skip
            write_report(text, output)
    sys.exit(1 if result.reaches(fail_on) else 0)


def _every_source(workspace, output_format, output, fail_on, baseline_file, write_baseline, select, ignore):
    from dayone.cli.every import run_every_source
    from dayone.rules import select_rules

    select_rules(select, ignore)  # a typo is said once, before any source is read
    given = [name for name, value in (("--baseline", baseline_file), ("--write-baseline", write_baseline)) if value]
    if given:
        raise click.UsageError(f"{given[0]} is a file of one database's findings: give a source as TARGET")
    if output_format not in ("text", "json"):
        raise click.UsageError(f"--format {output_format} reports on one database: give a source as TARGET, "
                               "or use --format text or json for the summary of every source")  # fmt: skip
    run_every_source(workspace, "audit", output_format, output, fail_on)


def _profile_options(tier: str | None, full: bool, no_profile: bool, page_budget: int, sample_rows: int, no_values: bool) -> ProfileOptions | None:
    chosen = [name for name, given in (("--profile", tier is not None), ("--full", full), ("--no-profile", no_profile)) if given]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} say different things: give one of them")
    tier = "full" if full else "none" if no_profile else tier or "sample"
    if tier == "none":
        return None
    return ProfileOptions(tier=tier, page_budget=page_budget, sample_rows=sample_rows, keep_values=not no_values)



@click.group(invoke_without_command=True)
@click.pass_context
def rules(ctx):
    """List the audit rules (`dayone rules explain NAME` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from dayone.rules import REGISTRY

    table = Table(show_edge=False)
    for header in ("code", "name", "family", "severity", "what it detects"):
        table.add_column(header, no_wrap=header != "what it detects")
    for rule in sorted(REGISTRY.values(), key=lambda r: r.code):
        table.add_row(rule.code, rule.name, rule.family, rule.severity, rule.summary)
    Console(markup=False).print(table)  # cells are plain text: a "[...]" in a summary stays as written


@rules.command()
@click.argument("name")
def explain(name):
    """Print the documentation of one rule (by name or code)."""
    from dayone.errors import DayoneError
    from dayone.render.rule_docs import rule_markdown
    from dayone.rules import REGISTRY

    rule = REGISTRY.get(name) or next((r for r in REGISTRY.values() if r.code == name.upper()), None)
    if rule is None:
        raise DayoneError(f"no rule named {name!r}: `dayone rules` lists them")
    click.echo(rule_markdown(rule), nl=False)


@rules.command()
@click.argument("directory", type=click.Path(file_okay=False))
def docs(directory):
    """Write the rule documentation pages (docs/rules/)."""
    from dayone.render.rule_docs import write_rule_docs

    click.echo(f"wrote {len(write_rule_docs(directory))} pages to {directory}", err=True)
