"""The audit rules. Importing this package registers every rule family."""

from dayone.rules import data, data_migrated, data_types, flow, flow_changelog, flow_deletes, flow_extraction, model  # noqa: F401 - registration happens on import
from dayone.rules import access  # noqa: F401 - infrastructure and access rules
from dayone.rules import governance  # noqa: F401 - personal data
from dayone.rules.engine import AuditResult, run_rules
from dayone.rules.registry import REGISTRY, Rule, select_rules

__all__ = ["REGISTRY", "AuditResult", "Rule", "run_rules", "select_rules"]
