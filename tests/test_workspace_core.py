"""The project folder as a user sets it up: `dayone init`, sources (a launch of PostgreSQL, MariaDB
and SQLite, one with dev and prod), people, a source's name as TARGET, audits and checks of every
source at once, and what must never happen: a password in dayone.yml or on the screen, a comment
lost, a malformed file rewritten or half-read, one unreachable source stopping the others, a
Ctrl-C leaving a statement running."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, unquote, urlsplit

import pytest

from access_logins import mysql_login
from test_secret_canary import assert_absent, canary, special
from test_faults import pg_big  # noqa: F401 - a fixture: a table a --full read streams for seconds
from dayone import cli as dayone_cli


@pytest.fixture
def dayone(monkeypatch, capsys, tmp_path):
    """`dayone ARGS` in this process, as the CLI runs it, from the folder `cwd`: its exit status,
    stdout and stderr. Every source at once still starts a dayone process per source."""
    for name in [n for n in os.environ if n.startswith("DAYONE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("HOME", str(tmp_path))  # no .pgpass, no .my.cnf
    monkeypatch.setenv("COLUMNS", "120")

    def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> SimpleNamespace:
        with monkeypatch.context() as patched:
            patched.chdir(cwd)
            for name, value in (env or {}).items():
                patched.setenv(name, value)
            patched.setattr(sys, "argv", ["dayone", *args])
            code, _ = dayone_cli._run()
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


def ok(result: SimpleNamespace, *codes: int) -> SimpleNamespace:
    assert result.returncode in (codes or (0,)), result.stderr + result.stdout
    return result


def one_line_error(result: SimpleNamespace) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("dayone: error: "), lines[0]
    return lines[0].removeprefix("dayone: error: ")


def sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT, created_at TIMESTAMP);"
                         "INSERT INTO members VALUES (1, 'a@example.com', '2026-01-02 03:04:05');")  # fmt: skip
    return path


def project_with(dayone, tmp_path: Path, text: str | None = None) -> Path:
    folder = tmp_path / "launch"
    ok(dayone("init", str(folder), "--name", "Launch", cwd=tmp_path))
    if text is not None:
        (folder / "dayone.yml").write_text(text)
    return folder


# --- the launch, from init to every source audited and checked -----------------------------------


@pytest.mark.postgres
@pytest.mark.mysql
def test_launch_of_three_sources_from_init_to_every_source_audited_and_checked(dayone, tmp_path, pg_db, mysql_db):
    pg_db.execute("CREATE TABLE submissions (id int, card text, created_at timestamp);"
                  "CREATE TABLE graders (id int PRIMARY KEY, name text)")  # fmt: skip
    mysql_db.execute("CREATE TABLE items (id INT PRIMARY KEY, owner VARCHAR(40), stored_at DATETIME)")
    done = ok(dayone("init", "launch", "--name", "Grading launch", cwd=tmp_path))
    folder = tmp_path / "launch"
    assert (folder / "dayone.yml").is_file() and (folder / "state").is_dir()
    assert "dayone source add" in done.stdout and "cd launch" in done.stdout
    again = dayone("init", "launch", cwd=tmp_path)
    assert "exists already" in one_line_error(again) and "Grading launch" in (folder / "dayone.yml").read_text()

    sqlite_file(folder / "members.db")
    ok(dayone("source", "add", "grading", pg_db.url, cwd=folder))
    ok(dayone("source", "add", "grading", pg_db.url, "--env", "dev", cwd=folder))
    ok(dayone("source", "add", "vault", mysql_db.url, cwd=folder))
    ok(dayone("source", "add", "members", "../members.db", cwd=folder / "state"))  # typed from a subfolder
    again = dayone("source", "add", "grading", pg_db.url, cwd=folder)
    assert "--replace" in one_line_error(again)
    owner = ok(dayone("person", "add", "Priya Shah", "--role", "engineering lead", "--contact", "priya@example.com",
                      "--owns", "grading", "--owns", "access", cwd=folder))  # fmt: skip
    assert "Priya Shah" in owner.stdout
    assert "neither a source" in one_line_error(dayone("person", "add", "Bob", "--role", "dba", "--owns", "billing", cwd=folder))
    people = json.loads(ok(dayone("people", "--format", "json", cwd=folder)).stdout)["people"]
    assert people == [{"name": "Priya Shah", "role": "engineering lead", "contact": "priya@example.com",
                       "owns": ["grading", "Infrastructure and access"]}]  # fmt: skip

    listed = json.loads(ok(dayone("source", "list", "--format", "json", cwd=folder)).stdout)["sources"]
    assert [(s["name"], s["env"], s["last_audit"]) for s in listed] == [
        ("grading", "prod", None), ("grading", "dev", None), ("vault", "prod", None), ("members", "prod", None)]  # fmt: skip
    assert next(s for s in listed if s["name"] == "members")["url"] == "members.db"  # relative to the project

    audited = dayone("audit", "--format", "json", cwd=folder)
    ok(audited, 0, 1)
    summary = json.loads(audited.stdout)
    assert [(s["source"], s["env"], s["status"]) for s in summary["sources"]] == [
        ("grading", "prod", "audited"), ("vault", "prod", "audited"), ("members", "prod", "audited")]  # fmt: skip
    for row in summary["sources"]:
        kept = json.loads((folder / row["report"]).read_text())  # the summary counts what the state keeps
        assert row["report"].startswith(f"state/results/{row['source']}/prod/") and row["report"].endswith("-audit.json")
        assert row["blockers"] == sum(len(s["blockers"]) for s in kept["sections"])
        assert row["open_questions"] == sum(s["open_questions"] for s in kept["sections"])
        assert row["findings"] == kept["summary"]
        assert list((folder / "state/results" / row["source"] / "prod").glob("*-snapshot.json"))
        plural = "" if row["blockers"] == 1 else "s"
        assert f"{row['source']} (prod): audited, {row['blockers']} blocker{plural}," in audited.stderr
    assert summary["sources"][0]["blockers"] >= 1  # submissions has no primary key
    assert audited.returncode == 1  # a blocker reaches --fail-on error
    assert not (folder / "state/results/grading/dev").exists()  # every source: its main database

    checked = dayone("check", cwd=folder)
    ok(checked, 1)  # the superuser logins are not read-only: a failed check
    for name in ("grading", "vault", "members"):
        assert f"{name} (prod): checked, " in checked.stderr
        kept = json.loads(next((folder / "state/results" / name / "prod").glob("*-check.json")).read_text())
        row = next(line for line in checked.stdout.splitlines() if line.startswith(name + " "))
        assert row.split()[1:4] == ["prod", "checked", str(kept["summary"]["pass"])], row
    dev = ok(dayone("check", "--env", "dev", "--format", "json", cwd=folder), 1)
    assert [(s["source"], s["env"]) for s in json.loads(dev.stdout)["sources"]] == [("grading", "dev")]
    assert "vault: skipped: no dev database" in dev.stderr

    listed = json.loads(ok(dayone("source", "list", "--format", "json", cwd=folder)).stdout)["sources"]
    assert all(s["last_audit"] for s in listed if s["env"] == "prod") and all(s["last_check"] for s in listed)
    text = ok(dayone("source", "list", cwd=folder)).stdout
    assert pg_db.url in text and "never" in text  # grading (dev) was checked, never audited


# --- a source's name as TARGET --------------------------------------------------------------------


@pytest.mark.mysql
@pytest.mark.postgres
def test_a_source_name_is_a_target_with_its_own_password_schemas_and_environment(dayone, tmp_path, mysql_db, pg_db):
    mysql_db.execute("CREATE TABLE items (id INT PRIMARY KEY, owner VARCHAR(40))")
    pg_db.execute("CREATE SCHEMA app; CREATE TABLE app.rides (id int PRIMARY KEY); CREATE TABLE public.stray (id int)")
    folder = project_with(dayone, tmp_path)
    with mysql_login(mysql_db, "GRANT SELECT ON {db}.* TO {user}") as (_, url):
        parts = urlsplit(url)
        password = unquote(parts.password)
        ok(dayone("source", "add", "vault", url.replace(f":{parts.password}@", "@"), cwd=folder))
        ok(dayone("source", "add", "grading", pg_db.url, "--schema", "app", cwd=folder))
        ok(dayone("source", "add", "grading", sqlite_file(tmp_path / "dev.db").as_posix(), "--env", "dev", cwd=folder))
        own = {"DAYONE_PASSWORD_VAULT": password}

        without = dayone("catalog", "vault", cwd=folder)
        assert without.returncode == 2 and "DAYONE_PASSWORD_VAULT" in without.stderr  # its own variable, named
        catalog = ok(dayone("catalog", "vault", cwd=folder, env=own))
        assert "items" in catalog.stdout
        ok(dayone("snapshot", "vault", "-o", str(tmp_path / "vault.json"), cwd=folder, env=own))
        assert json.loads((tmp_path / "vault.json").read_text())["catalog"]["database"] == mysql_db.name
        audit = ok(dayone("audit", "vault", "--format", "json", cwd=folder / "state", env=own), 0, 1)  # from a subfolder
        assert json.loads(audit.stdout)["database"] == mysql_db.name
        assert list((folder / "state/results/vault/prod").glob("*-audit.json"))  # kept, as for every source
        ok(dayone("check", "vault", cwd=folder, env=own), 0, 1)
        assert list((folder / "state/results/vault/prod").glob("*-check.json"))
        for path in [*folder.rglob("*"), tmp_path / "vault.json"]:
            assert not path.is_file() or password not in path.read_text(errors="replace"), path

    tables = json.loads(ok(dayone("snapshot", "grading", "-o", "-", cwd=folder)).stdout)["catalog"]
    assert [s["name"] for s in tables["schemas"]] == ["app"]  # the source's schemas
    overridden = json.loads(ok(dayone("snapshot", "grading", "--schema", "public", "-o", "-", cwd=folder)).stdout)["catalog"]
    assert [s["name"] for s in overridden["schemas"]] == ["public"]  # --schema overrides them
    dev = json.loads(ok(dayone("snapshot", "grading", "--env", "dev", "-o", "-", cwd=folder)).stdout)["catalog"]
    assert dev["product"] == "sqlite"
    assert "has no staging database" in one_line_error(dayone("catalog", "grading", "--env", "staging", cwd=folder))

    unknown = one_line_error(dayone("audit", "gradnig", cwd=folder))
    assert "no source named 'gradnig'" in unknown and "grading, vault" in unknown
    outside = one_line_error(dayone("audit", "grading", cwd=tmp_path))
    assert "neither a database URL nor a snapshot file" in outside
    assert "--env" in dayone("catalog", pg_db.url, "--env", "dev", cwd=folder).stderr  # --env goes with a name


# --- dayone.yml: malformed, commented, and never a password ----------------------------------------

MALFORMED = {
    "bad YAML": ("# by hand\nproject: x\nsources:\n  grading:\n    prod:\n      url: postgresql://a@h/db\n     ssh: [\n",
                 "dayone.yml line 7: not valid YAML"),
    "unknown scheme": ("# by hand\nproject: x\n\nsources:\n  grading:\n    prod:\n      url: postgress://a@h/db\n",
                       "dayone.yml line 7: sources.grading.prod.url: unknown scheme 'postgress'"),
    "unknown field": ("# by hand\nproject: x\nsources:\n  grading:\n    prod:\n      url: postgresql://a@h/db\n      schema: [app]\n",
                      "dayone.yml line 7: sources.grading.prod.schema: unknown field"),
    "metric on no source": ("# by hand\nproject: x\nsources:\n  grading:\n    prod:\n      url: postgresql://a@h/db\nmetrics:\n"
                            "  signups:\n    sql: SELECT 1\n    source: gradin\n",
                            "dayone.yml line 10: metrics.signups.source: no source named 'gradin'"),
}  # fmt: skip


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_dayone_yml_is_one_line_naming_the_line_and_is_never_rewritten(dayone, tmp_path, case):
    text, expected = MALFORMED[case]
    folder = project_with(dayone, tmp_path, text)
    for args in (("audit",), ("check",), ("audit", "grading"), ("snapshot", "grading"), ("source", "list"), ("people",),
                 ("source", "add", "lite", "lite.db"), ("source", "remove", "grading"), ("person", "add", "Bob", "--role", "dba")):  # fmt: skip
        assert one_line_error(dayone(*args, cwd=folder)).startswith(expected), args
    assert (folder / "dayone.yml").read_text() == text


COMMENTED = """\
# Launch of the grading platform, autumn 2026.
project: "Grading launch"   # the name shown in reports
go_live: 2026-11-02

sources:
  # the main product database
  grading:
    prod:
      url: postgresql://analyst@grading-db.internal/grading   # read replica
      schemas: [public, billing]

  # payments run on the vendor's MariaDB
  vault:
    prod:
      url: 'mariadb://reader@vault.internal:3306/vault'

people:
  Priya Shah:
    role: engineering lead   # since March
    owns:
      - grading
# metrics come later
metrics: {}
# end of file
"""


def test_every_edit_keeps_the_comments_and_every_line_it_does_not_change_byte_for_byte(dayone, tmp_path):
    folder = project_with(dayone, tmp_path, COMMENTED)
    path = folder / "dayone.yml"
    ok(dayone("source", "add", "vault", "mysql://reader@vault-dev.internal/vault", "--env", "dev", "--schema", "vault", cwd=folder))
    ok(dayone("source", "add", "members", "members.db", cwd=folder))
    ok(dayone("person", "add", "Sam Lee", "--role", "DBA: vault", "--owns", "vault", "--owns", "model", cwd=folder))
    expected = COMMENTED.replace("""\
      url: 'mariadb://reader@vault.internal:3306/vault'
""", """\
      url: 'mariadb://reader@vault.internal:3306/vault'
    dev:
      url: mysql://reader@vault-dev.internal/vault
      schemas: [vault]
  members:
    prod:
      url: members.db
""").replace("""\
      - grading
""", """\
      - grading
  Sam Lee:
    role: 'DBA: vault'
    owns: [vault, Data model]
""")  # fmt: skip
    assert path.read_text() == expected
    ok(dayone("source", "add", "grading", "postgresql://analyst@grading-db2.internal/grading", "--replace", cwd=folder))
    assert "      url: postgresql://analyst@grading-db2.internal/grading  # read replica\n" in path.read_text()
    ok(dayone("source", "add", "grading", "postgresql://analyst@grading-db.internal/grading", "--schema", "public",
              "--schema", "billing", "--replace", cwd=folder))  # fmt: skip
    assert path.read_text() == expected  # the comment kept its column
    ok(dayone("source", "remove", "members", cwd=folder))
    ok(dayone("source", "remove", "vault", "--env", "dev", cwd=folder))
    with_sam = COMMENTED.replace("      - grading\n", "      - grading\n  Sam Lee:\n    role: 'DBA: vault'\n    owns: [vault, Data model]\n")
    assert path.read_text() == with_sam
    removed = ok(dayone("source", "remove", "vault", cwd=folder))
    assert "Sam Lee still owns 'vault'" in removed.stderr
    assert "  # payments run on the vendor's MariaDB\n\npeople:" in path.read_text()  # the comments stay


@pytest.mark.parametrize("make", [canary, special], ids=["canary", "special"])
def test_a_password_is_refused_and_never_reaches_the_file_the_screen_or_an_error(dayone, tmp_path, make):
    """canary(): masked by value wherever it appears, the last line of defence; special(): URL
    punctuation and lower case, masked by nothing, so only messages built without it keep it out."""
    folder = project_with(dayone, tmp_path)
    before = (folder / "dayone.yml").read_text()
    secret = make()
    shown = []
    for args in (
        ("source", "add", "grading", f"postgresql://analyst:{quote(secret, safe='')}@db.internal/grading"),
        ("source", "add", "grading", f"postgresql://analyst:{secret}@db.internal/grading"),  # not percent-encoded
        ("source", "add", "grading", f"postgresql://analyst@db.internal/grading?sslmode=require&password={quote(secret, safe='')}"),
        ("source", "add", "grading", f"postgresql://analyst@db.internal/grading?sslpassword={quote(secret, safe='')}"),
        ("source", "add", "grading", f"postgress://analyst:{quote(secret, safe='')}@db.internal/grading"),
        ("source", "add", "grading", f"mysql://analyst:{quote(secret, safe='')}@db.internal/grading", "--env", "dev", "--replace"),
        ("source", "add", "grading", "postgresql://analyst@db.internal/grading", "--ssh", f"ssh://me:{quote(secret, safe='')}@bastion"),
    ):
        result = dayone(*args, cwd=folder)
        assert "password" in one_line_error(result), result.stderr
        shown += [result.stdout, result.stderr]
    said = one_line_error(dayone("source", "add", "grading", f"postgresql://analyst:{quote(secret, safe='')}@db/grading", cwd=folder))
    assert said.startswith("the URL holds a password") and "DAYONE_PASSWORD_GRADING" in said and "dayone.yml" not in said
    assert (folder / "dayone.yml").read_text() == before
    # written into the file by hand: named by its line, never shown, and the file left alone
    by_hand = f"sources:\n  grading:\n    prod:\n      url: postgresql://analyst:{quote(secret, safe='')}@db/grading\n"
    (folder / "dayone.yml").write_text(by_hand)
    for args in (("source", "list"), ("audit", "grading"), ("audit",), ("check",), ("source", "add", "x", "x.db")):
        result = dayone(*args, cwd=folder)
        message = one_line_error(result)
        assert message.startswith("dayone.yml line 4: sources.grading.prod.url: holds a password: remove it"), message
        assert "DAYONE_PASSWORD_GRADING" in message
        shown += [result.stdout, result.stderr]
    assert (folder / "dayone.yml").read_text() == by_hand
    assert_absent(shown + [p.read_text() for p in folder.rglob("*") if p.is_file() and p.name != "dayone.yml"], secret)


# --- every source at once: one that fails does not stop the others --------------------------------


def test_a_source_that_cannot_be_read_is_reported_and_the_others_go_on(dayone, tmp_path):
    folder = project_with(dayone, tmp_path)
    sqlite_file(folder / "first.db")
    sqlite_file(folder / "last.db")
    ok(dayone("source", "add", "first", "first.db", cwd=folder))
    ok(dayone("source", "add", "gone", "postgresql://nobody@127.0.0.1:1/gone", cwd=folder))  # nothing listens there
    ok(dayone("source", "add", "last", "last.db", cwd=folder))

    audited = dayone("audit", "--jobs", "1", "-o", "summary.txt", cwd=folder)
    assert audited.returncode == 2, audited.stderr  # a source could not be read
    assert "gone (prod): failed: cannot reach PostgreSQL at 127.0.0.1:1" in audited.stderr
    assert "first (prod): audited, " in audited.stderr and "last (prod): audited, " in audited.stderr
    summary = (folder / "summary.txt").read_text()
    rows = {line.split()[0]: line.split()[1:3] for line in summary.splitlines()[1:4]}
    assert rows == {"first": ["prod", "audited"], "gone": ["prod", "failed"], "last": ["prod", "audited"]}
    assert "gone (prod): cannot reach PostgreSQL at 127.0.0.1:1" in summary
    assert not (folder / "state/results/gone").exists() and list((folder / "state/results/last/prod").glob("*-audit.json"))

    checked = json.loads(dayone("check", "--format", "json", "--fail-on", "never", cwd=folder).stdout)["sources"]
    assert [(s["source"], s["status"]) for s in checked] == [("first", "checked"), ("gone", "unreachable"), ("last", "checked")]
    assert "cannot reach PostgreSQL" in checked[1]["error"] and checked[1]["fail"] == 1

    assert "--format sarif" in dayone("audit", "--format", "sarif", cwd=folder).stderr  # one database's format
    assert "--jobs goes with every source" in dayone("audit", "first", "--jobs", "3", cwd=folder).stderr


@pytest.mark.postgres
def test_ctrl_c_stops_every_source_read_at_once_and_leaves_no_session(dayone, tmp_path, pg_big):
    from test_faults import interrupted_or_killed, no_pg_session_left, pg_streaming

    folder = project_with(dayone, tmp_path)
    for name in ("orders", "payments"):  # two sources, read at once: two dayone processes streaming
        ok(dayone("source", "add", name, pg_big.url, cwd=folder))
    status, err, took = interrupted_or_killed(["audit", "--project", str(folder), "--full"], lambda: len(pg_streaming(pg_big)) == 2,
                                              lambda p: p.send_signal(signal.SIGINT))  # fmt: skip
    assert status == 130, err
    assert err.strip().splitlines()[-1] == "dayone: interrupted" and "Traceback" not in err
    assert took < 5
    assert no_pg_session_left(pg_big) == []  # each source's statement stopped on the server
    assert not list((folder / "state").rglob("*-audit.json"))  # stopped, not left to finish
