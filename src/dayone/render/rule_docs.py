"""Rule documentation: `dayone rules explain` and the generated docs/rules/ pages."""

from __future__ import annotations

from pathlib import Path

from dayone.fileio import write_atomically
from dayone.rules.registry import DOC_SECTIONS, FAMILIES, REGISTRY, Rule


def rule_markdown(rule: Rule) -> str:
    docs = rule.docs
    lines = [
        f"# {rule.name} ({rule.code})",
        "",
        rule.summary,
        "",
        f"- Family: {rule.family} ({FAMILIES[rule.family]})",
        f"- Scope: {rule.scope}",
        f"- Default severity: {rule.severity}",
        f"- Needs: {', '.join(rule.needs)}",
    ]
    for section in DOC_SECTIONS:
        lines += ["", f"## {section}", "", docs.get(section, "")]
    return "\n".join(lines) + "\n"


def index_markdown() -> str:
    lines = ["# Rules", "", "Generated from the rule registry by `dayone rules docs docs/rules`; do not edit.", ""]
    for family, section in FAMILIES.items():
        rules = sorted((r for r in REGISTRY.values() if r.family == family), key=lambda r: r.code)
        if not rules:
            continue
        lines += [f"## {section}", "", "| code | rule | severity | what it detects |", "| --- | --- | --- | --- |"]
        lines += [f"| {r.code} | [{r.name}]({r.name}.md) | {r.severity} | {r.summary} |" for r in rules]
        lines.append("")
    return "\n".join(lines)


def generated_docs() -> dict[str, str]:
    """File name -> content of every page under docs/rules/."""
    pages = {f"{r.name}.md": rule_markdown(r) for r in REGISTRY.values()}
    pages["README.md"] = index_markdown()
    return pages


def write_rule_docs(directory: str | Path) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in generated_docs().items():
        path = directory / name
        write_atomically(path, content)
        written.append(path)
    return written
