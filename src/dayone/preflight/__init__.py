"""`dayone check`: the access pre-flight, the infrastructure checklist answered by the database."""

from dayone.preflight.items import evaluate
from dayone.preflight.model import OPEN_QUESTIONS, CheckItem, CheckReport, Connection
from dayone.preflight.run import check

__all__ = ["OPEN_QUESTIONS", "CheckItem", "CheckReport", "Connection", "check", "evaluate"]
