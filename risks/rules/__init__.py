"""The risk rules, keyed by their stable codes. Within a module rules run in the order they are
registered, so the attrition score sees the attrition signals before it."""

from . import attrition, misclassification  # noqa: F401  (registers the rules)
from .base import RULES, SEVERITY_RANK, Finding, Rule, evaluate_rules

__all__ = ["RULES", "SEVERITY_RANK", "Finding", "Rule", "evaluate_rules"]
