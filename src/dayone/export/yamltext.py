"""YAML that every reader takes as dayone wrote it, whatever names and values the database holds.

ruamel.yaml writes YAML 1.2, where `yes`, `on`, `y` or `1_000` are plain strings; the tools that read
exports (datacontract-cli, dbt) use PyYAML, a YAML 1.1 reader, which takes them as booleans and
numbers: an enum value `yes` or a table named `on` would change meaning. So any string a YAML 1.1
reader would resolve to something else is quoted. Bidi and other invisible controls (which an
editor would act on: text shown in another order than it reads) are written as `\\u` escapes
inside double quotes, where YAML reads them back to the same characters.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import SafeRepresenter
from ruamel.yaml.resolver import VersionedResolver

# Characters YAML counts as printable but a reader's editor acts on (the C0/C1 controls are escaped
# by ruamel.yaml itself).
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_YAML11 = VersionedResolver(version=(1, 1))
_STR = "tag:yaml.org,2002:str"


class _Representer(SafeRepresenter):
    def represent_str(self, data: str) -> ScalarNode:
        if _INVISIBLE.search(data):
            return self.represent_scalar(_STR, data, style='"')
        if _YAML11.resolve(ScalarNode, data, (True, False)) != _STR:
            return self.represent_scalar(_STR, data, style="'")
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


def to_yaml(document: Any) -> str:
    """`document` (dicts, lists, strings, numbers, booleans) as block-style YAML, keys in the order given."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep the order the document is built in
    yaml.allow_unicode = True
    yaml.width = 4096  # long descriptions stay on one line: fewer diffs when a word changes
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    # these characters stand only inside the double-quoted scalars chosen above
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", buffer.getvalue())
