"""Metrics from day 1 (issue 11), as a user runs them on a launch of three databases (PostgreSQL,
MariaDB, SQLite): recorded in dayone.yml, checked against the data model and the audit's findings,
computed read-only, kept with their time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml.comments import CommentedMap

from dayone.cli import cli
from dayone.project import find_project, init_project

def dayone(*args: str) -> CliRunner:
    """The CLI in this process; DayoneError comes back as the exception (the real CLI prints it)."""
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "160", "NO_COLOR": "1"})


def dayone_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "160"})  # fmt: skip


def new_project(folder: Path, sources: dict[str, str]) -> Path:
    project = init_project(folder)
    for name, url in sources.items():
        project.config.set(["sources", name], CommentedMap(prod=CommentedMap(url=url)))
    project.config.save()
    return folder


def add(folder: Path, name: str, source: str, sql: str, priority: str = "day-1", *extra: str):
    result = dayone("metric", "add", name, "--project", str(folder), "--source", source, "--priority", priority, "--sql", sql, *extra)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(result) -> dict:
    assert result.exit_code in (0, 1), (result.output, result.exception)
    return json.loads(result.stdout)


# --- the launch: three databases, eight metrics --------------------------------------------------

RIDES_SQL = """
CREATE SCHEMA app;
CREATE TABLE app.riders (id serial PRIMARY KEY, email text NOT NULL);
CREATE TABLE app.rides (
    id serial PRIMARY KEY,
    rider_id int NOT NULL REFERENCES app.riders,
    started_at timestamp NOT NULL,          -- wall-clock time: no zone
    ended_at timestamp,
    status text NOT NULL,
    fare_cents int NOT NULL,
    deleted_at timestamptz,                 -- soft delete
    promo_code text                         -- never filled
);
INSERT INTO app.riders (email) SELECT 'rider' || g || '@gmail.com' FROM generate_series(1, 50) g;
INSERT INTO app.rides (rider_id, started_at, ended_at, status, fare_cents, deleted_at)
SELECT 1 + g % 50, timestamp '2026-11-02 08:00' + g * interval '37 minutes', timestamp '2026-11-02 08:20' + g * interval '37 minutes',
       CASE WHEN g % 3 = 0 THEN 'cancelled' ELSE 'completed' END, 500 + g,
       CASE WHEN g % 10 = 0 THEN now() END
FROM generate_series(1, 200) g;
ANALYZE;
"""

SHOP_SQL = [
    "CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(120) NOT NULL, created_at DATETIME NOT NULL)",
    "CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, status VARCHAR(20) NOT NULL, "
    "total_cents INT NOT NULL, created_at DATETIME NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id))",
]


def _shop_rows(db) -> None:
    customers = [(f"qa+{i}@example.com" if i % 10 == 0 else f"buyer{i}@gmail.com", f"2026-10-{1 + i % 28:02d} 12:00:00")
                 for i in range(1, 121)]  # fmt: skip
    orders = [(1 + i % 120, "paid" if i % 4 else "refunded", 1000 + i, f"2026-11-{1 + i % 28:02d} 09:00:00") for i in range(1, 301)]
    with db.connect() as conn, conn.cursor() as cursor:
        for statement in SHOP_SQL:
            cursor.execute(statement)
        cursor.executemany("INSERT INTO customers (email, created_at) VALUES (%s, %s)", customers)
        cursor.executemany("INSERT INTO orders (customer_id, status, total_cents, created_at) VALUES (%s, %s, %s, %s)", orders)


def _club(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, "
                     "joined_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)")  # fmt: skip
        conn.executemany("INSERT INTO members (name, status, joined_at, updated_at) VALUES (?, ?, ?, ?)",
                         [(f"Member {i}", "active" if i % 5 else "lapsed", f"2026-09-{1 + i % 28:02d} 10:00:00",
                           f"2026-10-{1 + i % 28:02d} 10:00:00") for i in range(1, 151)])  # fmt: skip
    conn.close()


@pytest.fixture
def launch(pg_db, mysql_db, tmp_path):
    """A project with three sources, eight metrics: three feasible, three at risk, two blocked."""
    pg_db.execute(RIDES_SQL)
    _shop_rows(mysql_db)
    _club(tmp_path / "club.db")
    folder = new_project(tmp_path / "launch", {"rides": pg_db.url, "shop": mysql_db.url, "club": str(tmp_path / "club.db")})
    metrics = [
        ("rides_per_day_utc", "rides", "SELECT date_trunc('day', started_at AT TIME ZONE 'UTC') AS day, count(*) "
                                       "FROM app.rides WHERE deleted_at IS NULL GROUP BY 1"),
        ("rides_total", "rides", "SELECT count(*) FROM app.rides"),
        ("rides_by_day", "rides", "SELECT started_at::date AS day, count(*) FROM app.rides WHERE deleted_at IS NULL GROUP BY 1"),
        ("ride_minutes", "rides", "SELECT avg(extract(epoch FROM ended_at - start_time) / 60) FROM app.rides"),
        ("paid_cents", "shop", "SELECT sum(o.total_cents) FROM orders AS o WHERE o.status = 'paid'"),
        ("customers_total", "shop", f"SELECT count(*) FROM {mysql_db.name}.customers"),
        ("active_members", "club", "SELECT count(*) FROM main.members WHERE status = 'active'"),
        ("members_by_month", "club", "SELEC strftime('%Y-%m', joined_at), count(*) FROM members GROUP BY 1"),
    ]  # fmt: skip
    for name, source, sql in metrics:
        add(folder, name, source, sql)
    return folder


def test_check_says_which_metrics_the_data_model_can_answer(launch):
    report = as_json(dayone("metrics", "check", "--project", str(launch), "--format", "json"))
    checks = {m["name"]: m for m in report["metrics"]}
    assert list(checks) == ["rides_per_day_utc", "rides_total", "rides_by_day", "ride_minutes", "paid_cents",
                            "customers_total", "active_members", "members_by_month"]  # fmt: skip
    assert {n: m["status"] for n, m in checks.items()} == {
        "rides_per_day_utc": "feasible", "rides_total": "at-risk", "rides_by_day": "at-risk", "ride_minutes": "blocked",
        "paid_cents": "feasible", "customers_total": "at-risk", "active_members": "feasible", "members_by_month": "blocked",
    }  # fmt: skip
    assert set(checks["rides_total"]) == {"name", "source", "priority", "status", "reasons", "depends_on", "tables"}

    [typo] = checks["ride_minutes"]["reasons"]
    assert typo["message"] == "app.rides.start_time does not exist; did you mean started_at?"
    [unparsed] = checks["members_by_month"]["reasons"]
    assert unparsed["message"].startswith("the SQL does not parse")

    [soft] = checks["rides_total"]["reasons"]  # the unfiltered soft delete, naming the column and the finding
    assert (soft["rule"], soft["column"]) == ("soft-delete-column", "app.rides.deleted_at") and soft["finding"].startswith("DF205-")
    assert "without filtering on it" in soft["message"]
    naive = [r for r in checks["rides_by_day"]["reasons"]]
    assert [(r["rule"], r["column"]) for r in naive] == [("timestamp-without-time-zone", "app.rides.started_at")]
    assert "CAST(... AS DATE)" in naive[0]["message"]
    [test_rows] = checks["customers_total"]["reasons"]
    assert (test_rows["rule"], test_rows["column"]) == ("test-data-in-production", f"{launch_db(checks)}.customers.email")

    # the same converted to UTC first, or filtered, is fine; what each depends on is listed
    assert checks["rides_per_day_utc"]["depends_on"] == ["app.rides.deleted_at", "app.rides.started_at"]
    assert checks["rides_total"]["depends_on"] == [] and checks["rides_total"]["tables"] == ["app.rides"]
    assert checks["paid_cents"]["depends_on"] == [f"{launch_db(checks)}.orders.status", f"{launch_db(checks)}.orders.total_cents"]
    assert checks["active_members"]["depends_on"] == ["main.members.status"]

    # a column the data never fills, from the profile of the audit kept
    add(launch, "promo_rides", "rides", "SELECT count(*) FROM app.rides WHERE promo_code IS NOT NULL AND deleted_at IS NULL")
    [promo] = as_json(dayone("metrics", "check", "promo_rides", "--project", str(launch), "--format", "json"))["metrics"]
    assert promo["status"] == "at-risk" and [r["column"] for r in promo["reasons"]] == ["app.rides.promo_code"]
    assert "holds no value in any of 200 rows read" in promo["reasons"][0]["message"]
    dayone("metric", "remove", "promo_rides", "--project", str(launch))

    text = dayone("metrics", "check", "--project", str(launch))
    assert text.exit_code == 1  # a metric is blocked
    assert "app.rides.start_time does not exist; did you mean started_at?" in text.stdout
    assert "8 metrics: 3 feasible, 3 at risk, 2 blocked" in text.stdout


def launch_db(checks: dict) -> str:
    """The MariaDB database's (unique) name, as the shop metrics' columns are spelled."""
    return checks["customers_total"]["tables"][0].split(".")[0]


def test_run_computes_the_metrics_that_can_be_and_keeps_each_value_with_its_time(launch):
    first = as_json(dayone("metrics", "run", "--project", str(launch), "--format", "json", "--by", "Ana"))
    runs = {r["name"]: r for r in first["metrics"]}
    assert {n: r["status"] for n, r in runs.items()} == {
        "rides_per_day_utc": "ok", "rides_total": "ok", "rides_by_day": "ok", "ride_minutes": "skipped",
        "paid_cents": "ok", "customers_total": "ok", "active_members": "ok", "members_by_month": "skipped",
    }  # fmt: skip
    assert runs["rides_total"]["value"] == 200
    assert runs["customers_total"]["value"] == 120
    assert runs["paid_cents"]["value"] == sum(1000 + i for i in range(1, 301) if i % 4)
    assert runs["active_members"]["value"] == 120
    per_day = runs["rides_by_day"]
    assert per_day["columns"] == ["day", "count"] and sum(row[1] for row in per_day["rows"]) == 180
    assert "start_time does not exist" in runs["ride_minutes"]["error"]

    second = as_json(dayone("metrics", "run", "rides_total", "--project", str(launch), "--format", "json"))
    assert [r["name"] for r in second["metrics"]] == ["rides_total"]
    history = as_json(dayone("metric", "history", "rides_total", "--project", str(launch), "--format", "json"))
    assert [v["value"] for v in history["values"]] == [200, 200]
    assert history["values"][0]["by"] == "Ana" and history["values"][0]["at"] <= history["values"][1]["at"]
    listed = as_json(dayone("metrics", "--project", str(launch), "--format", "json"))
    last = {m["name"]: m["last"] for m in listed["metrics"]}
    assert last["rides_total"]["value"] == 200 and last["ride_minutes"] is None
    text = dayone("metrics", "--project", str(launch)).stdout
    assert "= 200 at " in text and "not computed yet" in text


def test_a_table_dropped_after_the_audit_blocks_its_metric_once_read_again(pg_db, tmp_path):
    pg_db.execute("CREATE TABLE promotions (id serial PRIMARY KEY, code text NOT NULL); "
                  "CREATE TABLE redemptions (id serial PRIMARY KEY, promotion_id int NOT NULL)")  # fmt: skip
    folder = new_project(tmp_path / "p", {"promo": pg_db.url})
    add(folder, "promotions", "promo", "SELECT count(*) FROM promotions")  # on the search path: public
    add(folder, "redemptions", "promo", "SELECT count(*) FROM public.redemptions")

    def statuses(*extra: str) -> dict:
        report = as_json(dayone("metrics", "check", "--project", str(folder), "--format", "json", *extra))
        return {m["name"]: (m["status"], [r["message"] for r in m["reasons"]]) for m in report["metrics"]}

    assert statuses() == {"promotions": ("feasible", []), "redemptions": ("feasible", [])}  # audited first: none kept
    pg_db.execute("DROP TABLE promotions")
    assert statuses()["promotions"] == ("feasible", [])  # the catalog kept still has it
    assert statuses("--refresh") == {
        "promotions": ("blocked", ["no table promotions in public; did you mean public.redemptions?"]),
        "redemptions": ("feasible", []),
    }


def test_a_failing_or_slow_metric_is_reported_the_others_go_on_and_rows_are_bounded(pg_db, mysql_db, tmp_path):
    pg_db.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)")
    mysql_db.execute("CREATE TABLE t (id INT PRIMARY KEY)")
    mysql_db.execute("INSERT INTO t VALUES (1), (2)")
    club = tmp_path / "c.db"
    with sqlite3.connect(club) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.close()
    folder = new_project(tmp_path / "p", {"pg": pg_db.url, "maria": mysql_db.url, "lite": str(club)})
    add(folder, "pg_slow", "pg", "SELECT pg_sleep(30)")
    add(folder, "pg_broken", "pg", "SELECT 1 / (count(*) - 3) FROM t")
    add(folder, "pg_rows", "pg", "SELECT count(*) FROM t")
    add(folder, "maria_slow", "maria", "SELECT SLEEP(30)")
    add(folder, "maria_rows", "maria", "SELECT count(*) FROM t")
    add(folder, "lite_slow", "lite", "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n")
    add(folder, "lite_rows", "lite", "SELECT count(*) FROM t")
    many = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000) SELECT x FROM n"
    for source in ("pg", "maria", "lite"):
        add(folder, f"{source}_many", source, many)
    done = dayone_process("metrics", "run", "--project", str(folder), "--format", "json", "--statement-timeout", "1")
    assert done.returncode == 1, done.stderr
    runs = {r["name"]: r for r in json.loads(done.stdout)["metrics"]}
    for slow in ("pg_slow", "maria_slow", "lite_slow"):
        assert runs[slow]["status"] == "failed"
        assert "took longer than the statement timeout (1 s)" in runs[slow]["error"], runs[slow]
    assert runs["pg_broken"]["status"] == "failed" and "division by zero" in runs["pg_broken"]["error"]
    assert {n: runs[n]["value"] for n in ("pg_rows", "maria_rows", "lite_rows")} == {"pg_rows": 3, "maria_rows": 2, "lite_rows": 0}
    for source in ("pg", "maria", "lite"):  # a metric is a number or a small table: the first 1,000 rows are kept
        big = runs[f"{source}_many"]
        assert (big["status"], big["cut"], len(big["rows"]), big["rows"][-1]) == ("ok", True, 1000, [1000]), source
    kept = as_json(dayone("metric", "history", "pg_slow", "--project", str(folder), "--format", "json"))["values"]
    assert [v["status"] for v in kept] == ["failed"]


def test_writes_are_refused_before_connecting_and_the_read_only_session_stops_the_rest(pg_db, tmp_path):
    pg_db.execute("CREATE TABLE t (id serial PRIMARY KEY, note text); INSERT INTO t (note) VALUES ('a'), ('b'); "
                  "CREATE SEQUENCE s; "
                  "CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS $$ INSERT INTO t (note) VALUES ('x') RETURNING id $$")  # fmt: skip
    folder = new_project(tmp_path / "p", {"pg": pg_db.url})
    writes = {
        "deletes": "DELETE FROM t",
        "hidden_delete": "WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone",
        "two_statements": "SELECT count(*) FROM t; DROP TABLE t",
        "locks": "SELECT id FROM t FOR UPDATE",
        "select_into": "SELECT * INTO t_copy FROM t",
        "sequence": "SELECT nextval('s')",
        "terminates": "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
    }
    for name, sql in writes.items():
        warned = add(folder, name, "pg", sql)
        assert "warning" in warned.stderr  # recorded all the same
    assert dayone("metrics", "check", "--project", str(folder)).exit_code == 1  # audits once, keeps the catalog
    project = find_project(explicit=str(folder))
    project.config.set(["sources", "pg", "prod", "url"], "postgresql://postgres@127.0.0.1:9/nowhere")  # no server there
    project.config.save()
    done = dayone_process("metrics", "run", "--project", str(folder), "--format", "json")
    assert done.returncode == 1, done.stderr
    runs = {r["name"]: r for r in json.loads(done.stdout)["metrics"]}
    assert {r["status"] for r in runs.values()} == {"skipped"}
    for name, run in runs.items():
        assert "connect" not in run["error"] and "9" not in run["error"].split(":")[0], run  # no connection tried
    assert "not a SELECT (DELETE)" in runs["deletes"]["error"]
    assert "DELETE is not a read" in runs["hidden_delete"]["error"]
    assert "holds 2 statements" in runs["two_statements"]["error"]
    assert "locking clause" in runs["locks"]["error"]
    assert "SELECT ... INTO" in runs["select_into"]["error"]
    assert "nextval()" in runs["sequence"]["error"] and "pg_terminate_backend()" in runs["terminates"]["error"]

    # what no parser can know (a function that writes) the read-only session refuses
    project.config.set(["sources", "pg", "prod", "url"], pg_db.url)
    for name in writes:
        project.config.delete(["metrics", name])
    project.config.save()
    add(folder, "bumps", "pg", "SELECT bump()")
    run = as_json(dayone("metrics", "run", "--project", str(folder), "--format", "json"))["metrics"][0]
    assert run["status"] == "failed" and "refused by the read-only session" in run["error"], run
    assert pg_db.execute("SELECT count(*) FROM t") == [(2,)] and pg_db.execute("SELECT last_value FROM s") == [(1,)]


def test_add_records_any_sql_with_a_warning_and_keeps_the_comments(tmp_path):
    club = tmp_path / "club.db"
    _club(club)
    folder = new_project(tmp_path / "p", {"club": str(club)})
    (tmp_path / "q.sql").write_text("SELECT status, count(*)\nFROM members\nGROUP BY status\n", encoding="utf-8")
    assert dayone("metrics", "check", "--project", str(folder)).exit_code == 0  # no metric: nothing blocked; audits nothing
    added = dayone("metric", "add", "by_status", "--project", str(folder), "--source", "club", "--priority", "later",
                   "--sql-file", str(tmp_path / "q.sql"), "--due", "2026-11-02", "--question", "How many members per status?")  # fmt: skip
    assert added.exit_code == 0 and "warning" not in added.stderr
    typo = dayone("metric", "add", "typo", "--project", str(folder), "--source", "club", "--priority", "day-1", "--sql",
                  "SELECT count(*) FROM membres")  # fmt: skip
    assert typo.exit_code == 0 and "not checked against club's data model yet" in typo.stderr  # no audit kept: no connection
    text = (folder / "dayone.yml").read_text(encoding="utf-8")
    assert "# dayone project: the databases of a launch" in text and "#   question: How many cards" in text
    assert "sql: |\n      SELECT status, count(*)\n      FROM members\n      GROUP BY status\n" in text
    assert "due: 2026-11-02" in text and "question: How many members per status?" in text
    dayone("metrics", "check", "--project", str(folder))  # audits the source, keeps its catalog
    again = dayone("metric", "add", "typo", "--replace", "--project", str(folder), "--source", "club", "--priority",
                   "day-1", "--sql", "SELECT count(*) FROM membres")  # fmt: skip
    assert "no table membres in main; did you mean main.members?" in again.stderr
    assert dayone("metric", "remove", "typo", "--project", str(folder)).exit_code == 0
    assert "typo" not in (folder / "dayone.yml").read_text(encoding="utf-8")

    unknown = dayone_process("metric", "add", "x", "--project", str(folder), "--source", "nope", "--priority", "later",
                             "--sql", "SELECT 1")  # fmt: skip
    assert unknown.returncode == 2 and unknown.stderr == "dayone: error: no source named 'nope' in " \
        f"{folder / 'dayone.yml'}: sources are club\n"  # fmt: skip
    for args, said in [
        (["metric", "add", "by_status", "--source", "club", "--priority", "later", "--sql", "SELECT 1"], "exists already"),
        (["metric", "remove", "nope"], "no metric named 'nope'"),
        (["metrics", "run", "nope"], "no metric named 'nope'"),
        (["metric", "history", "nope"], "no metric named 'nope'"),
    ]:
        done = dayone(*args, "--project", str(folder))
        assert said in str(done.exception), (args, done.exception)
    assert dayone("metric", "add", "y", "--project", str(folder), "--source", "club", "--priority", "later").exit_code == 2


# --- offline: the SQL read against a catalog and the findings of its audit ----------------------


def _catalog(product: str = "postgresql", **schemas):
    from dayone.catalog.model import Catalog, Column, Schema, Table

    def table(name: str, *columns: str) -> Table:
        made = []
        for position, spec in enumerate(columns, 1):
            column, _, kind = spec.partition(":")
            made.append(Column(name=column, position=position, declared_type=kind or "integer",
                               normalized_type=kind or "integer", nullable=column != "id"))  # fmt: skip
        return Table(name=name, columns=tuple(made))

    return Catalog(product=product, version="16", database="launch", current_user="analyst",
                   schemas=tuple(Schema(s, tuple(table(*t) for t in tables)) for s, tables in schemas.items()))  # fmt: skip


def _check(sql: str, catalog, url_database: str | None = None):
    from dayone import api
    from dayone.project.metrics import check_metric
    from dayone.project.runs import SourceRef
    from dayone.render.audit_formats import to_json

    audit = json.loads(to_json(api.audit(catalog)))  # the catalog's own findings, as an audit keeps them
    return check_metric("m", sql, "day-1", SourceRef("s", "prod"), catalog, audit, url_database)


ORDERS = _catalog(
    app=[("orders", "id", "customer_id", "status:text", "created_at:timestamptz", "updated_at:timestamptz",
          "placed_at:timestamp", "deleted_at:timestamptz", "total_cents")],
    analyst=[("customers", "id", "email:text")],
    public=[("customers", "id", "name:text"), ("fx", "id", "rate:decimal")],
)  # fmt: skip


def test_lineage_follows_aliases_ctes_subqueries_and_stars():
    sql = """WITH recent AS (SELECT o.id AS order_id, o.customer_id, o.deleted_at AS gone FROM app.orders o)
             SELECT c.email, count(*) FROM recent r JOIN customers c ON c.id = r.customer_id
             WHERE r.gone IS NULL GROUP BY c.email"""
    check = _check(sql, ORDERS)
    # `customers` alone is the login's own schema first ("$user", then public), as on the server
    assert check.depends_on == ("analyst.customers.email", "analyst.customers.id", "app.orders.customer_id",
                                "app.orders.deleted_at", "app.orders.id")  # fmt: skip
    assert check.status == "feasible", check.reasons  # the soft delete is filtered, through the CTE's alias
    star = _check("SELECT count(*) FROM (SELECT * FROM app.orders) AS s", ORDERS)
    assert len(star.depends_on) == 8 and star.tables == ("app.orders",)
    assert star.status == "at-risk" and star.reasons[0].rule == "soft-delete-column"
    assert _check("SELECT count(*) FILTER (WHERE deleted_at IS NULL) FROM app.orders", ORDERS).status == "feasible"
    assert _check("SELECT x.nope FROM (SELECT id FROM app.orders) x", ORDERS).reasons[0].message == \
        "x.nope is not a column of subquery x"  # fmt: skip
    ambiguous = _check("SELECT id FROM app.orders, public.fx WHERE deleted_at IS NULL", ORDERS)
    assert ambiguous.status == "blocked" and "column id is ambiguous" in ambiguous.reasons[0].message
    elsewhere = _check("SELECT count(*) FROM orders", ORDERS)
    assert [r.message for r in elsewhere.reasons] == ["no table orders in analyst or public; did you mean app.orders?"]


def test_naive_days_status_transitions_and_zones():
    def risks(sql: str) -> list[tuple[str | None, str | None]]:
        return [(r.rule, r.column) for r in _check(sql, ORDERS).reasons]

    live = "FROM app.orders WHERE deleted_at IS NULL"
    assert risks(f"SELECT date_trunc('day', placed_at), count(*) {live} GROUP BY 1") == \
        [("timestamp-without-time-zone", "app.orders.placed_at")]  # fmt: skip
    assert risks(f"SELECT DATE(placed_at), count(*) {live} GROUP BY 1") == [("timestamp-without-time-zone", "app.orders.placed_at")]
    assert risks(f"SELECT date_trunc('hour', placed_at), count(*) {live} GROUP BY 1") == []  # hours are hours in any zone
    assert risks(f"SELECT date_trunc('day', placed_at AT TIME ZONE 'UTC'), count(*) {live} GROUP BY 1") == []
    assert risks(f"SELECT date_trunc('day', created_at), count(*) {live} GROUP BY 1") == []  # an instant
    # a status grouped and dated by when the row last changed counts transitions it does not keep
    assert risks(f"SELECT status, date(updated_at), count(*) {live} GROUP BY 1, 2") == \
        [("untracked-status-changes", "app.orders.status")]  # fmt: skip
    assert risks(f"SELECT count(*) FROM (SELECT status, lag(status) OVER (PARTITION BY customer_id ORDER BY id) AS was "
                 f"{live}) s WHERE status <> was") == [("untracked-status-changes", "app.orders.status")]  # fmt: skip
    assert risks(f"SELECT status, count(*) {live} GROUP BY status") == []  # today's statuses: kept


def test_names_fold_as_each_engine_folds_them():
    lite = _catalog("sqlite", main=[("Members", "id", "Email:text")])
    assert _check("SELECT count(email) FROM MEMBERS", lite).depends_on == ("main.Members.Email",)
    assert _check('SELECT count("EMAIL") FROM main.members', lite).status == "feasible"
    shop = _catalog("mariadb", shop=[("Orders", "id", "Total:integer")], other=[("orders", "id")])
    assert _check("SELECT sum(TOTAL) FROM Orders", shop, "shop").depends_on == ("shop.Orders.Total",)
    assert _check("SELECT count(*) FROM other.orders", shop, "shop").tables == ("other.orders",)
    missing = _check("SELECT count(*) FROM orders", shop, "shop")  # table names are case-sensitive there
    assert missing.status == "blocked" and "did you mean other.orders?" in missing.reasons[0].message
    pg = _catalog(public=[("Mixed", "id", "Name:text")])
    assert _check('SELECT "Name" FROM "Mixed"', pg).status == "feasible"
    assert _check("SELECT name FROM mixed", pg).status == "blocked"  # unquoted names fold to lower case


@pytest.mark.parametrize("sql", [
    "UPDATE app.orders SET status = 'x'", "SELECT setval('s', 1)", "SELECT lo_import('/etc/passwd')",
    "SELECT dblink_exec('db', 'DELETE FROM t')", "SELECT * FROM app.orders FOR SHARE", "VACUUM app.orders",
    "SELECT set_config('statement_timeout', '0', false)", "SELECT query_to_xml('DELETE FROM t', true, true, '')",
])  # fmt: skip
def test_what_is_not_a_plain_read_is_blocked(sql):
    check = _check(sql, ORDERS)
    assert check.status == "blocked" and check.reasons[0].message.startswith("the SQL "), check
