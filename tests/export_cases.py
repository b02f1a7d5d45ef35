"""A small shop schema that gives every export fact something to say, added to pagila by the export
tests (and used alone by the facts tests): a CHECK list of statuses whose history nothing keeps, a
maintained updated_at, a soft-delete column, a test flag, a naive timestamp, an e-mail address, an
enum type, a declared and an implicit reference."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from dayone.cli import _run

SHOP_DDL = """
CREATE TYPE shop_channel AS ENUM ('web', 'store', 'phone');
CREATE TABLE shop_customers (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    is_test boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE shop_customers IS 'People who buy';
COMMENT ON COLUMN shop_customers.email IS 'Login e-mail';
CREATE TABLE shop_orders (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES shop_customers (id),
    shop_customer_ref integer,
    status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    channel shop_channel NOT NULL,
    placed_at timestamp NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE FUNCTION shop_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER shop_orders_touch BEFORE UPDATE ON shop_orders FOR EACH ROW EXECUTE FUNCTION shop_touch();
INSERT INTO shop_customers (email, is_test)
SELECT 'person' || i || '@mail.invalid', i % 10 = 0 FROM generate_series(1, 40) AS i;
INSERT INTO shop_orders (customer_id, status, channel, placed_at, deleted_at)
SELECT 1 + i % 40, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + i % 4], 'web',
       timestamp '2026-01-01' + i * interval '1 hour', CASE WHEN i % 25 = 0 THEN now() END
FROM generate_series(1, 200) AS i;
ANALYZE;
"""

# Names and comments dbt would misread if they reached it as they are: quotes, spaces, a reserved
# word, Jinja in a table's and a column's name, in comments and in CHECK values.
HOSTILE_DDL = """
CREATE TABLE "Odd ""Table"" {{ 1+1 }}" (
    "Id" integer PRIMARY KEY,
    "{{ 2*3 }}" text,
    "select" text NOT NULL CHECK ("select" IN ('{{ a }}', 'it''s', '{% raw %}')),
    "Mixed Case" integer
);
COMMENT ON TABLE "Odd ""Table"" {{ 1+1 }}" IS '{{ 6*7 }} and {% if true %}x{% endif %}
-- a second line';
COMMENT ON COLUMN "Odd ""Table"" {{ 1+1 }}"."{{ 2*3 }}" IS 'say {# not a comment #} ''quoted''';
INSERT INTO "Odd ""Table"" {{ 1+1 }}" VALUES (1, 'x', '{{ a }}', 1), (2, NULL, 'it''s', 2), (3, NULL, '{% raw %}', NULL);
"""


# `dayone ARGS` in this process, for the export tests: imported by them as a fixture
@pytest.fixture
def dayone(monkeypatch, capsys, tmp_path):
    """`dayone ARGS` in this process, as the CLI runs it: exit status, stdout, stderr."""
    for name in [n for n in os.environ if n.startswith("DAYONE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))

    def run(*args: str, cwd: Path | None = None) -> SimpleNamespace:
        with monkeypatch.context() as patched:
            if cwd is not None:
                patched.chdir(cwd)
            patched.setattr(sys, "argv", ["dayone", *args])
            code, _ = _run()
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


def ok(result: SimpleNamespace) -> SimpleNamespace:
    assert result.returncode == 0, result.stderr + result.stdout
    return result
