"""The one YAML writer of every export (dbt sources, snapshots and dbt_project.yml, the ODCS
contract): YAML that every reader takes as dayone wrote it, whatever names and values the database
holds, written fast enough for thousands of tables.

PyYAML's emitter does the escaping (values are untrusted: never string formatting), through libyaml
(`CSafeDumper`) where PyYAML was built with it: the pure-Python emitters took ~8 s per 500 tables of
sources YAML, libyaml ~1 s (benchmarks/export_dbt_vs_audit.py). Both emitters write the same bytes
here (sequences not indented under their key, libyaml's only style) but for characters beyond
U+FFFF, which the pure one escapes (PyYAML's wheels carry libyaml; the strings read back the same).

The readers of exports (dbt, datacontract-cli) use PyYAML, a YAML 1.1 reader: PyYAML's own resolver
quotes what it would read back as another type (`yes`, `on`, `0x1F`, `2024-01-01`, `~`). Also
quoted: what a YAML 1.2 reader or a stricter YAML 1.1 one would take as a boolean, a number or null
(`y`, `n`, `1e3`, `0o17`, `1_000`), so an enum value `y` or a table named `1e3` stays a string in
any reader. Bidi and other invisible controls (which an editor would act on: text shown in another
order than it reads) are written as `\\u` escapes inside double quotes, where YAML reads them back
to the same characters; C0/C1 controls are escaped by the emitter itself.
"""

from __future__ import annotations

import gc
import re
from typing import Any

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when PyYAML has it
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
# Characters YAML counts as printable but a reader's editor acts on, and NEL, a line break in YAML
# 1.1 but not in 1.2 (libyaml would write it raw, a line break in a single-quoted scalar).
_INVISIBLE = re.compile("[\x85\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What a YAML 1.2 reader (core schema) or a strict YAML 1.1 one (y/n booleans, 1_000, 1e3) resolves
# to something else than a string while PyYAML would not: quoted too.
_OTHER_READERS = re.compile(
    r"""[yYnN] | ~ | null | Null | NULL | true | True | TRUE | false | False | FALSE
      | [-+]? (?: [0-9][0-9_]* | 0o[0-7]+ | 0x[0-9a-fA-F_]+ | 0b[01_]+ )
      | [-+]? (?: \.[0-9]+ | [0-9][0-9_]* (?:\.[0-9_]*)? ) (?:[eE][-+]?[0-9]+)?
      | [-+]? \. (?:inf|Inf|INF) | \. (?:nan|NaN|NAN)""",
    re.VERBOSE,
)


class Flow(list):
    """A list written on one line (`[a, b]`): short lists of names, as dbt's docs show them."""


class _ExportDumper(_Dumper):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # no anchors/aliases: each table's settings written out, readable on their own


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if _INVISIBLE.search(data):
        return dumper.represent_scalar(_STR, data, style='"')
    if _OTHER_READERS.fullmatch(data):
        return dumper.represent_scalar(_STR, data, style="'")
    return dumper.represent_scalar(_STR, data)  # PyYAML quotes what it would itself misread


def _represent_flow(dumper: yaml.SafeDumper, data: Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence(_SEQ, data, flow_style=True)


_ExportDumper.add_representer(str, _represent_str)
_ExportDumper.add_representer(Flow, _represent_flow)


def to_yaml(document: Any) -> str:
    """`document` (dicts, lists, `Flow` lists, strings, numbers, booleans, None) as block-style YAML,
    keys in the order given; the same document gives the same text."""
    # The representer builds a node per value (~1.5 million for 5,000 tables), each allocation
    # counting towards the cyclic collector's next pass: paused, the sources of 5,000 tables are
    # written in ~3.4 s instead of ~6.3 s (the nodes hold no cycles to collect).
    collecting = gc.isenabled()
    gc.disable()
    try:
        text = yaml.dump(document, Dumper=_ExportDumper, default_flow_style=False, sort_keys=False,
                         allow_unicode=True, width=4096, indent=2)  # fmt: skip
    finally:
        if collecting:
            gc.enable()
    # width: long descriptions stay on one line: fewer diffs when a word changes.
    # The invisible characters stand only inside the double-quoted scalars chosen above.
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
