"""The audit as JSON, Markdown and SARIF 2.1.0."""

from __future__ import annotations

import orjson

from dayone.render import profile_summary
from dayone.render.escape import json_text, markdown_code, markdown_text, sarif_text
from dayone.rules.engine import AuditResult
from dayone.groups import Group, build_report

SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _header(result: AuditResult) -> dict:
    from dayone import __version__

    catalog = result.catalog
    return {
        "tool": {"name": "dayone", "version": __version__},
        "database": catalog.database,
        "product": catalog.product,
        "version": catalog.version,
    }


def to_json(result: AuditResult) -> str:
    """Every finding, one object per target with its stable id (CI relies on them), and beside them
    the groups (one question per pattern), the verdict of each checklist section and what was not
    read."""
    return json_bytes(result).decode()


def json_bytes(result: AuditResult) -> bytes:
    """to_json as UTF-8, for a file or a pipe: 5,000 tables make 25 MB, and decoding them to text
    only to encode them again costs 0.04 s."""
    from dayone.fixes import fix_text

    report = build_report(result)
    product = result.catalog.product
    findings = [f.as_dict(fix=fix_text(f, product)) for f in result.findings]
    ids = {id(f): said["id"] for f, said in zip(result.findings, findings)}  # for the groups: hashed once
    document = {
        **_header(result),
        "summary": result.counts(),
        "sections": [s.as_dict() for s in report.sections],
        "not_read": list(report.not_read),
        "baseline": {"file": result.baseline, "accepted": result.accepted} if result.baseline else None,
        "rules": [r.name for r in result.rules],
        "profile": profile_summary.summary(result.catalog, result.profile),
        "groups": [g.as_dict(ids) for g in report.groups],
        "findings": findings,
    }
    if result.answers:  # a project's answers (`dayone answer`): the groups they acknowledge say so
        for group in document["groups"]:
            if (answer := result.answers.get(group["id"])) is not None:
                group["acknowledged"] = answer.as_dict()
    return _serialized_bytes(document)


TARGETS_INLINE = 12  # a group's targets listed inline; --expand lists every finding


def to_markdown(result: AuditResult, expand: bool = False) -> str:
    """The verdict first, then one entry per group, info groups last. Every name, value and server
    string is escaped for where it stands: a target in a code span, the rest as text that can
    neither leave its line nor format, link or inject HTML."""
    from dayone.fixes import fix_markdown

    report = build_report(result)
    catalog = result.catalog
    counts = result.counts()
    lines = [
        f"# dayone audit: {markdown_text(catalog.database)}",
        "",
        f"{markdown_text(catalog.product)} {markdown_text(catalog.version.split()[0])} — {counts['error']} error(s), "
        f"{counts['warning']} warning(s), {counts['info']} info in {len(report.groups)} groups",
    ]
    if result.profile is not None:
        found = profile_summary.lines(catalog, result.profile)
        lines += ["", markdown_text(found[0])] + [f"- {markdown_text(line.strip())}" for line in found[1:]]
    if result.baseline:
        lines += ["", f"Baseline {markdown_code(result.baseline)}: {result.accepted:,} accepted findings left out, "
                      f"{len(result.findings):,} new."]  # fmt: skip
    notes = sum(len(s.notes) for s in report.sections)
    lines += ["", "## Verdict", "",
              f"**{report.blockers} blocker(s) before go-live**, {report.open_questions} open question(s), {notes} for information.",
              "", "| Section | Status | Blockers | Questions | For information |", "|---|---|---:|---:|---:|"]  # fmt: skip
    for verdict in report.sections:
        lines.append(f"| {verdict.section} | {verdict.status} | {len(verdict.blockers)} | {len(verdict.questions)} | {len(verdict.notes)} |")
    for title, items in (
        ("Blocks go-live", [g.message for s in report.sections for g in s.blockers]),
        ("Already good", [sentence for s in report.sections for sentence in s.good]),
        ("Not read", list(report.not_read)),
    ):
        if items:
            lines += ["", f"**{title}**", ""] + [f"- {markdown_text(item)}" for item in items]
    info = []
    for verdict in report.sections:
        info += verdict.notes
        groups = [*verdict.blockers, *verdict.questions]
        if groups:
            lines += ["", f"## {verdict.section}"]
            for group in groups:
                lines += _markdown_group(group, result, fix_markdown, expand)
    if info:
        lines += ["", "## For information", "", "Facts and questions no go-live decision rests on."]
        for group in info:
            lines += _markdown_group(group, result, fix_markdown, expand)
    lines += _markdown_acknowledged(report)
    return "\n".join(lines) + "\n"


def _markdown_acknowledged(report) -> list[str]:
    """Groups a project's log answered (`dayone answer`), each with its answer, who and when."""
    groups = [g for verdict in report.sections for g in verdict.acknowledged]
    if not groups:
        return []
    lines = ["", "## Acknowledged", "", "Answered in the project's log: not open questions."]
    for group in groups:
        answer = report.result.answers[group.id]
        subject = markdown_code(group.findings[0].target) if group.count == 1 else f"{group.count:,} targets"
        lines += ["", f"### {group.severity}: {group.rule} ({group.code}) — {subject}", "", markdown_text(group.message), "",
                  f"- **Ask:** {markdown_text(group.question)}",
                  f"- **Answer** ({markdown_text(answer.by)}, {markdown_text(answer.at[:10])}): {markdown_text(answer.text)}"]  # fmt: skip
    return lines


def _markdown_group(group: Group, result: AuditResult, fix_markdown, expand: bool) -> list[str]:
    first = group.findings[0]
    subject = markdown_code(first.target) if group.count == 1 else f"{group.count:,} targets" + (
        f" in {markdown_code(group.where)}" if group.where else "")
    lines = ["", f"### {group.severity}: {group.rule} ({group.code}) — {subject}", "",
             markdown_text(group.message), "", f"- **Ask:** {markdown_text(group.question)}"]  # fmt: skip
    fix = fix_markdown(first, result.catalog.product)
    lines.append(f"- **Fix:** {fix}" if group.count == 1 else f"- **Fix** (for {markdown_code(first.target)}, the others alike): {fix}")
    if group.count > 1 and expand:
        lines += ["", f"{group.count:,} findings:", ""]
        lines += [f"- {markdown_code(f.target)}: {markdown_text(f.message)}" for f in group.findings]
    elif group.count > 1:
        shown = ", ".join(markdown_code(f.target) for f in group.findings[:TARGETS_INLINE])
        more = group.count - TARGETS_INLINE
        lines.append(f"- **On:** {shown}" + (f" and {more:,} more (--expand lists them)" if more > 0 else ""))
    return lines


def to_sarif(result: AuditResult) -> str:
    from dayone.fixes import fix_text

    header = _header(result)
    rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": " ".join(r.docs.get("What it detects", "").split())},
            "help": {"text": " ".join(r.docs.get("How to fix", "").split())},
            "defaultConfiguration": {"level": SARIF_LEVELS[r.severity]},
            "properties": {"family": r.family},
        }
        for r in result.rules
    ]
    index = {r.name: i for i, r in enumerate(result.rules)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.rule],
            "level": SARIF_LEVELS[f.severity],
            "message": {"text": sarif_text(f"{f.message} Question: {f.question}")},  # the real names: target below
            "locations": [{"logicalLocations": [{"fullyQualifiedName": f"{result.catalog.database}/{f.target}", "kind": "member"}]}],
            "partialFingerprints": {"dayoneFindingId": f.id},
            # SARIF's own `fixes` need file changes; a database fix is DDL someone else runs
            "properties": {"target": f.target, "evidence": f.evidence, "fix": fix_text(f, result.catalog.product)},
        }
        for f in result.findings
    ]
    if result.answers:  # answered in a project's log: SARIF's own way to say a result is acknowledged
        from dayone.groups import group_findings

        answered = {f.id: result.answers[g.id] for g in group_findings(result) if g.id in result.answers for f in g.findings}
        for item, finding in zip(results, result.findings, strict=True):
            if (answer := answered.get(finding.id)) is not None:
                item["suppressions"] = [{"kind": "external", "status": "accepted",
                                         "justification": f"{answer.text} ({answer.by}, {answer.at[:10]})"}]  # fmt: skip
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "dayone", "version": header["tool"]["version"], "rules": rules}},
                "results": results,
            }
        ],
    }
    return _serialized(document)


def _serialized(document: dict) -> str:
    return _serialized_bytes(document).decode()


def _serialized_bytes(document: dict) -> bytes:
    # orjson: json.dumps with an indent falls back to its pure-Python encoder (0.3 s for 30,000 findings)
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if data.isascii() and b"\x7f" not in data:
        return data  # nothing json_text would escape: no DEL, no C1 or bidi control (all beyond ASCII)
    return json_text(data.decode()).encode()
