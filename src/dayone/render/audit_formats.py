"""The audit as JSON, Markdown and SARIF 2.1.0."""

from __future__ import annotations

import orjson

from dayone.findings import Finding
from dayone.render import profile_summary
from dayone.render.escape import json_text, markdown_code, markdown_text, sarif_text
from dayone.rules.engine import AuditResult
from dayone.rules.registry import FAMILIES, REGISTRY

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
    document = {
        **_header(result),
        "summary": result.counts(),
        "rules": [r.name for r in result.rules],
        "profile": profile_summary.summary(result.catalog, result.profile),
        "findings": [f.as_dict() for f in result.findings],
    }
    return _serialized(document)


def to_markdown(result: AuditResult) -> str:
    catalog = result.catalog
    counts = result.counts()
    # every name, value and server string is escaped for where it stands: a target in a code span,
    # the rest as text that can neither leave its line nor format, link or inject HTML
    lines = [
        f"# dayone audit: {markdown_text(catalog.database)}",
        "",
        f"{markdown_text(catalog.product)} {markdown_text(catalog.version.split()[0])} — **{counts['error']} error(s), "
        f"{counts['warning']} warning(s), {counts['info']} info**",
    ]
    if result.profile is not None:
        found = profile_summary.lines(catalog, result.profile)
        lines += ["", markdown_text(found[0])] + [f"- {markdown_text(line.strip())}" for line in found[1:]]
    for section in FAMILIES.values():
        findings = [f for f in result.findings if result.section_of(f) == section]
        if not findings:
            continue
        lines += ["", f"## {section}", ""]
        for f in findings:
            lines.append(f"- **{f.severity}** `{f.rule}` ({f.code}) on {markdown_code(f.target)}: {markdown_text(f.message)}")
            if f.severity != "info":
                lines.append(f"  - Question: {markdown_text(f.question)}")
                lines.append(f"  - Fix: {_fix(f)}")
    return "\n".join(lines) + "\n"


def _fix(finding: Finding) -> str:
    """The rule's documented fix is Markdown dayone wrote (code spans kept); any other is text."""
    fix = finding.fix
    return fix if fix == REGISTRY[finding.rule].default_fix else markdown_text(fix)


def to_sarif(result: AuditResult) -> str:
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
            "properties": {"target": f.target, "evidence": f.evidence},
        }
        for f in result.findings
    ]
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
    # orjson: json.dumps with an indent falls back to its pure-Python encoder (0.3 s for 30,000 findings)
    return json_text(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode())
