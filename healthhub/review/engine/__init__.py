"""Prescription-review rule engine: pure functions over the request and the knowledge base.

Public API: `review(request, *, kb=None, overrides=None, today=None) -> ReviewResponse`,
`RULES` (rule id -> Rule: family, default severity, floor, descriptions), `RuleOverrides`, `verdict_of`.
"""
from healthhub.review.engine.core import review, verdict_of
from healthhub.review.engine.overrides import RuleOverrides
from healthhub.review.engine.rules import RULES, Rule

__all__ = ["RULES", "Rule", "RuleOverrides", "review", "verdict_of"]
