"""The demo as a dayone project: the four databases as sources, the people who own them, the
metrics the business wants from day 1, and a few entries of the running log.

The metrics are the story's ("How many users actually converted to the new Collectors ID? How many
items have customers submitted to the Vault? Who is using the new My Collection feature?"), each
written as an analyst would write it on the first try: most hold, one asks for a column the model
does not have (when an item was graded: items.status changes are not recorded), and some read rows
the audit warns about (soft-deleted collection items, wall-clock times cut to days).
"""

from __future__ import annotations

from pathlib import Path

from dayone.errors import DayoneError
from dayone.project import FILE_NAME, Project
from dayone.project.config import ConfigFile

DATA_ENGINEER = "Dana Okafor"  # who keeps the running doc: the demo's log is hers

CONFIG = """\
# The demo launch as a dayone project: `dayone status` shows where it stands.
# No password belongs here (this folder goes to git); SQLite files need none.
project: Collectors launch
go_live: 2026-11-02

sources:
  identity:          # Collectors ID: one login for PSA, PCGS and collectors.com
    prod:
      url: sqlite:///identity.db
  grading:           # PSA grading submissions
    prod:
      url: sqlite:///grading.db
  vault:             # the physical vault
    prod:
      url: sqlite:///vault.db
  collection:        # My Collection on collectors.com (no engineering owner named yet)
    prod:
      url: sqlite:///collection.db

people:
  Priya Shah:
    role: engineering lead, PSA grading and vault
    contact: priya.shah@example.com
    owns: [grading, vault]
  Marcus Lee:
    role: platform engineering, databases and access
    contact: marcus.lee@example.com
    owns: [identity, access]    # a checklist section: every source's access questions go to him
  Aoife Kelly:
    role: product manager, Collectors ID and My Collection
    contact: aoife.kelly@example.com

metrics:
  collectors_id_conversions:
    source: identity
    priority: day-1
    owner: Aoife Kelly
    question: How many users actually converted to the new Collectors ID?
    sql: |-
      SELECT legacy_source, count(*) AS converted
      FROM accounts
      WHERE legacy_source IS NOT NULL AND last_login_at IS NOT NULL AND deleted_at IS NULL
      GROUP BY legacy_source
  sign_in_providers:
    source: identity
    priority: later
    owner: Aoife Kelly
    question: Do customers sign in with Google and Apple, or with a password?
    sql: SELECT provider, count(DISTINCT account_id) AS accounts FROM account_identities GROUP BY provider
  vault_items_submitted:
    source: vault
    priority: day-1
    owner: Priya Shah
    question: How many items have customers submitted to the Vault?
    sql: |-
      SELECT count(*) AS items, count(DISTINCT account_id) AS customers
      FROM vault_items
      WHERE received_at IS NOT NULL
  vault_value_stored:
    source: vault
    priority: later
    due: 2026-12-01
    question: What declared value sits on the vault's shelves?
    sql: SELECT sum(declared_value_cents) / 100.0 AS declared_value FROM vault_items WHERE status = 'stored'
  my_collection_users:
    source: collection
    priority: day-1
    owner: Aoife Kelly
    question: Who is using the new My Collection feature?
    sql: SELECT count(DISTINCT account_id) AS users, count(*) AS items FROM collection_items
  submissions_per_day:
    source: grading
    priority: day-1
    question: How many grading submissions come in per day?
    sql: |-
      SELECT date(submitted_at) AS day, count(*) AS submissions
      FROM submissions
      WHERE submitted_at IS NOT NULL
      GROUP BY 1
  items_graded_per_day:
    source: grading
    priority: day-1
    owner: Priya Shah
    question: How many items does PSA grade per day?
    sql: SELECT date(graded_at) AS day, count(*) AS items FROM items WHERE status = 'graded' GROUP BY 1
  grading_turnaround_days:
    source: grading
    priority: later
    due: 2026-12-15
    question: How many days does grading take, per service level?
    sql: |-
      SELECT s.service_level, avg(julianday(h.changed_at) - julianday(s.submitted_at)) AS days
      FROM submissions AS s
      JOIN submission_status_history AS h ON h.submission_id = s.id
      WHERE h.to_status = 'graded'
      GROUP BY s.service_level
"""


def make_project(folder: Path) -> tuple[Project, bool]:
    """The demo folder as a project: dayone.yml and the first log entries are written when the
    folder has no dayone.yml yet; one that is there (a previous run's, perhaps edited since) is kept
    as it is. Returns the project and whether it was created now."""
    from dayone.fileio import write_atomically

    path = folder / FILE_NAME
    created = not path.exists()
    if created:
        write_atomically(path, CONFIG)
    try:
        project = Project(folder.resolve(), ConfigFile(path))
    except DayoneError as exc:
        raise DayoneError(f"{exc} (in {path}: fix it, or delete it and the demo writes it again)") from None
    if created:
        _first_entries(project)
    return project, created


def _first_entries(project: Project) -> None:
    """The running doc so far: notes from the first meetings, a to-do, a question and its answer."""
    log = project.state
    log.add("note", "Kick-off with PSA and collectors.com engineering: identity, grading, vault and collection go live "
                    "together on 2026-11-02.", DATA_ENGINEER)  # fmt: skip
    log.add("note", "Marcus: analytics reads read replicas through the bastion, with one service account per database; "
                    "the passwords are in the shared 1Password vault.", DATA_ENGINEER, source="identity")  # fmt: skip
    asked = log.add("ask", "Are submissions.submitted_at and created_at Santa Ana wall-clock time? The columns have no zone.",
                    DATA_ENGINEER, to="Priya Shah", source="grading")  # fmt: skip
    log.add("answer", "Yes: America/Los_Angeles wall-clock time, as the grading service writes it. Moving to UTC is "
                      "planned for Q1.", "Priya Shah", refers=asked.id, source="grading")  # fmt: skip
    log.add("todo", "Find the engineering owner of the collection database.", DATA_ENGINEER, owner="Aoife Kelly",
            due="2026-10-28", source="collection")  # fmt: skip
    log.add("note", "Aoife: day 1 needs conversions to Collectors ID, items submitted to the vault and My Collection "
                    "users; grading turnaround can wait until December.", DATA_ENGINEER)  # fmt: skip
