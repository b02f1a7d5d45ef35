"""The exports' one YAML writer (dayone.export.yamltext): every string a database can hold reads
back through PyYAML's safe_load (the YAML 1.1 reader of dbt and datacontract-cli) as the same
string, in the dbt sources YAML and in the ODCS contract alike."""

from __future__ import annotations

import yaml  # PyYAML: what dbt and datacontract-cli read the files with

from dayone.export import yamltext
from dayone.export.yamltext import Flow, to_yaml
from workspace_log_helpers import ok, run

# Words YAML 1.1 (or 1.2) readers take as booleans, numbers, dates or null, the syntax that starts
# something else, and characters an editor acts on or a terminal interprets.
TRAPS = ["yes", "no", "on", "off", "y", "n", "Y", "NO", "true", "1e3", "0x1F", "0o17", "017", "1_000", "190:20:30",
         "2024-01-01", "2024-01-01 10:00:00", "~", "null", "", ".inf", ".NaN", "-1", "+1.5", "<<", "=",
         "- item", "? key", ": value", "#hash", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick",
         "it's", 'say "hi"', " leading", "trailing ", "two\nlines", "tab\there", "bell\x07", "nel\x85",
         "bom\ufeff", "line\u2028sep", "abc\u202edcba", "rtl\u200fmark", "isolate\u2066x\u2069", "é ü 漢字 🙂",
         "{{ jinja }}", "[flow]", "{map: 1}", "a: b", "a #b"]  # fmt: skip


def test_every_trap_reads_back_as_the_same_string_in_keys_values_and_flow_lists():
    document = {"values": TRAPS, "flow": Flow(TRAPS), "keys": {t: t for t in TRAPS}, "number": 3, "flag": True, "none": None}
    text = to_yaml(document)
    assert yaml.safe_load(text) == {**document, "flow": TRAPS}
    assert to_yaml(document) == text  # the same document, the same bytes
    for invisible in ("\u202e", "\u200f", "\u2066", "\u2028"):
        assert invisible not in text  # written as \u escapes, never raw where an editor would act on them
    assert "\n- yes\n" not in text and "\n- 'yes'\n" in text and "\n- 'y'\n" in text and "\n- '1e3'\n" in text


def test_libyaml_and_the_pure_python_emitter_write_the_same_bytes():
    """An export does not depend on whether PyYAML was built with libyaml (but for characters beyond
    U+FFFF, which the pure emitter writes as escapes: the same strings read back)."""

    class Pure(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    Pure.add_representer(str, yamltext._represent_str)
    Pure.add_representer(Flow, yamltext._represent_flow)
    traps = [t for t in TRAPS if max(map(ord, t), default=0) <= 0xFFFF]
    document = {"sources": [{"name": t, "tests": Flow([t, "x"]), "meta": {"values": traps}} for t in traps]}
    pure = yaml.dump(document, Dumper=Pure, default_flow_style=False, sort_keys=False, allow_unicode=True, width=4096, indent=2)
    assert to_yaml(document) == yamltext._INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", pure)


def test_trap_strings_from_the_database_round_trip_in_dbt_sources_and_the_contract(pg_db, tmp_path):
    """A CHECK list, a comment and column names holding YAML 1.1 words, dates, numbers, null and
    bidi/control characters come back from PyYAML exactly as the database holds them."""
    values = ["yes", "no", "on", "off", "y", "1e3", "0x1F", "2024-01-01", "~", "null", "abc\u202edcba", "bell\x07"]
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    comment = "on \u202eevil\u202c ~ 2024-01-01"
    pg_db.execute(f'CREATE TABLE traps (id int PRIMARY KEY, "on" text CHECK ("on" IN ({listed})), "2024-01-01" int, "~" int);'
                  f"COMMENT ON COLUMN traps.\"on\" IS '{comment}'; COMMENT ON TABLE traps IS 'yes';"
                  "INSERT INTO traps VALUES (1, 'yes', 1, 1)")  # fmt: skip

    ok(run("export", "dbt", pg_db.url, "-o", str(tmp_path / "dbt_traps"), "--source-name", "app", cwd=tmp_path))
    sources = yaml.safe_load((tmp_path / "dbt_traps/models/staging/app/_app__sources.yml").read_text(encoding="utf-8"))
    table = sources["sources"][0]["tables"][0]
    assert table["description"] == "yes"
    columns = {c["name"]: c for c in table["columns"]}
    assert set(columns) == {"id", "on", "2024-01-01", "~"}
    assert columns["on"]["description"] == comment
    accepted = [t["accepted_values"]["arguments"]["values"] for t in columns["on"]["data_tests"] if isinstance(t, dict) and "accepted_values" in t]
    assert accepted == [values]

    ok(run("export", "contract", pg_db.url, "-o", str(tmp_path / "traps.odcs.yaml"), cwd=tmp_path))
    contract = yaml.safe_load((tmp_path / "traps.odcs.yaml").read_text(encoding="utf-8"))
    properties = {p["name"]: p for p in contract["schema"][0]["properties"]}
    assert set(properties) == {"id", "on", "2024-01-01", "~"}
    assert properties["on"]["description"] == comment
    assert properties["on"]["quality"][0]["arguments"]["validValues"] == values
