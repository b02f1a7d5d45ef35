"""changelog-found: the history and audit tables flow_history recognises, with what they cover."""

from __future__ import annotations

from dayone.rules.context import AuditContext
from dayone.rules.flow import status_columns
from dayone.rules.flow_history import History, TableKey, histories
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

CHANGELOG_FOUND_ROLLUP = Rollup(
    noun=("changelog", "changelogs"),
    says="{n} history or audit tables in {where} record how other rows changed",
    asks="Does each of these record every change of the tables it covers (status columns included), from every code "
    "path, and are old entries ever pruned?",
)


def _changelog_praise(ctx: AuditContext, found: list) -> str | None:
    if not found:
        return None
    names = ", ".join(sorted({f.location.table for f in found})[:3]) + (", ..." if len(found) > 3 else "")
    return f"history is kept in {len(found)} changelog table{'s' if len(found) > 1 else ''} ({names})"


@rule(name="changelog-found", code="DF209", family="flow", scope="table", severity="info",
      needs=("catalog", "statistics", "profile"), rollup=CHANGELOG_FOUND_ROLLUP, praise=_changelog_praise)  # fmt: skip
def changelog_found(ctx: AuditContext):
    """A history or audit table: where past states of other rows are kept.

    ## What it detects
    Tables that record how other rows changed, with the tables they appear to cover: paper_trail's
    `versions` and the audited gem's `audits` (a `*_type` / `*_id` pair with an action and the
    changes: they may cover any table; with a profile, the type values read name the tables),
    history and audit tables by name (`order_status_history` covers orders by its name, or by its
    foreign key order_id), `*_versions` tables that refer to the row they version, rows keyed by
    (x_id, version), logs and events tables that refer to an entity, and tables an audit trigger
    (on UPDATE or DELETE) inserts into. The status columns of the covered tables are listed: their
    history, if kept, is here.

    ## Why it matters for analytics
    A changelog is the source of every "how long from received to shipped" and "what did this look
    like on March 1st" metric. It is also the one table whose loss cannot be repaired: if it is
    pruned, the warehouse must keep its own copy.

    ## Question for the engineering team
    Does this table record every change of the tables it covers (status columns included), from
    every code path, including bulk updates and scripts? Is it ever pruned?

    ## How to fix
    Nothing to fix; extract it incrementally (it is append-only) and keep it whole in the warehouse.

    ## What it leaves out
    A table named like a history that records when it was approved, voided or deleted changes after
    it is written (quote_versions with approved_at and voided_at): it is not a changelog. A
    `*_versions` table that refers to no row of its own stem (ci_runner_versions: versions of a
    runner's software) is a list, not a history; `*_events` with a last-modified column and neither
    an entity nor an occurrence time (marketing_events) is a calendar. A log or events table that
    covers no table is append-only, but not reported here; nor are tables append-only only by the
    server's counters.
    """
    this = REGISTRY["changelog-found"]
    index = histories(ctx)
    status = None
    for schema, table in ctx.tables():
        history = index.of(schema, table)
        if history is None or not history.is_changelog:
            continue
        if status is None:  # the status columns of every table: only once a changelog is found
            status = _status_columns_by_table(ctx)
        candidates = status if history.polymorphic is not None else {k: status[k] for k in history.covers if k in status}
        covered = _covered_names(ctx, history)
        waiting = [f"{t}.{c}" for (s, t), columns in candidates.items() for c in columns
                   if history.may_cover((s, t)) and (s, t) != history.key]  # fmt: skip
        records = history.records_status()
        message = f"{table.name} is a changelog ({history.kind}: {history.basis})"
        if history.polymorphic is not None:
            type_column = history.polymorphic[0]
            if history.type_values is None:
                message += f": it may cover any table ({type_column} names it)"
            else:
                shown = ", ".join(history.type_values[:8]) + (", ..." if len(history.type_values) > 8 else "")
                where = {"rows read": "in every row", "partitions": "in its partitions"}.get(
                    history.type_values_from, "in the rows sampled (other types may exist)")
                message += (f": {type_column} holds {shown} {where}, naming "
                            f"{', '.join(covered) or 'no table of this database'}")  # fmt: skip
        elif covered:
            message += f": it covers {', '.join(covered)}"
        if waiting:
            message += f"; status columns whose history it may hold: {', '.join(waiting[:8])}{', ...' if len(waiting) > 8 else ''}"
        question = f"Does {table.name} record every change of {', '.join(covered) if covered else 'the rows it covers'}"
        if history.kind == "paper_trail versions table":
            question += " (paper_trail records only models that declare has_paper_trail, and may skip columns)"
        if waiting:
            question += (f", including {waiting[0]}" if len(waiting) == 1
                         else f", including the {len(waiting)} status columns listed")  # fmt: skip
        question += ", from every code path? Is it ever pruned?"
        yield this.finding(
            ctx.located(schema, table),
            message,
            question,
            kind=history.kind,
            recognised_by=history.basis,
            covers=[ctx.located_by_name(*key)[0] for key in history.covers] or None,
            covered_by=list(history.covers.values()) or None,
            covers_any_table=True if history.polymorphic is not None and not history.types_known else None,
            type_column=history.polymorphic[0] if history.polymorphic else None,
            type_values=list(history.type_values) if history.type_values is not None else None,
            type_values_from=history.type_values_from,
            status_columns=waiting or None,
            has_status_column=records if history.polymorphic is None else None,
        )


def _covered_names(ctx: AuditContext, history: History) -> list[str]:
    keys = history.typed_tables if history.polymorphic is not None else tuple(history.covers)
    return sorted({t for _, t in keys})


def _status_columns_by_table(ctx: AuditContext) -> dict[TableKey, list[str]]:
    found: dict[TableKey, list[str]] = {}
    for schema, table in ctx.tables():
        columns = status_columns(ctx, schema, table)
        if columns:
            found[(schema.name, table.name)] = [c.name for c in columns]
    return found
