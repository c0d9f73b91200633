"""Per-tenant rule overrides: disable a rule or change its severity, never below the law's floor."""
from collections.abc import Mapping
from dataclasses import dataclass, field

from healthhub.review.engine.rules import RULES, SEVERITY_RANK
from healthhub.review.schemas import Severity


@dataclass(frozen=True)
class RuleOverrides:
    disabled: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "disabled", frozenset(self.disabled))
        object.__setattr__(self, "severity", {rule: Severity(value) for rule, value in self.severity.items()})
        for rule_id in (*self.disabled, *self.severity):
            if rule_id not in RULES:
                raise ValueError(f"未知规则 unknown rule {rule_id!r}")
        for rule_id in self.disabled:
            floor = RULES[rule_id].floor
            if floor is not None:
                raise ValueError(f"规则 {rule_id} 为法规底线，不可停用 / rule {rule_id} is a legal floor and "
                                 f"cannot be disabled")
        for rule_id, value in self.severity.items():
            floor = RULES[rule_id].floor
            if floor is not None and SEVERITY_RANK[value] < SEVERITY_RANK[floor]:
                raise ValueError(f"规则 {rule_id} 严重程度不得低于 {floor.value} / rule {rule_id} cannot be set "
                                 f"below {floor.value}")


NO_OVERRIDES = RuleOverrides()
