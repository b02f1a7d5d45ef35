"""The questionnaire for the engineering team (issue 11): open questions derived from the kept
audits and checks, and the log's questions, answers and closings. Placeholder: filled in next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dayone.project import Project
    from dayone.project.runs import SourceRef


def reconcile(project: Project, ref: SourceRef, audit: dict[str, Any], by: str) -> None:
    """Called after a source's audit is kept: open questions for new groups, close (with a log
    entry) those whose findings disappeared."""
