"""`review()`: one prescription in, verdict and findings out. Pure: no database, no clock unless
`today` is omitted (then today's date in China), no I/O beyond the (cached) knowledge base."""
from datetime import date

from healthhub.core.dates import local_today
from healthhub.knowledge.kb import KnowledgeBase
from healthhub.knowledge.service import get_knowledge_base
from healthhub.review.engine.combination import check_duplicates, check_interactions
from healthhub.review.engine.context import Collector, clinical_codes, resolve_items
from healthhub.review.engine.legality import check_banned, check_format, check_legal
from healthhub.review.engine.overrides import NO_OVERRIDES, RuleOverrides
from healthhub.review.engine.patient import check_allergies, check_conditions, check_dose, check_indication
from healthhub.review.engine.populations import check_special_populations
from healthhub.review.schemas import Finding, ReviewRequest, ReviewResponse, Severity, Verdict

# RX-01 counts validity in calendar days where the prescription is written: China.


def verdict_of(findings: list[Finding]) -> Verdict:
    """reject if any finding blocks, review if any warns, else pass."""
    severities = {finding.severity for finding in findings}
    if Severity.BLOCK in severities:
        return Verdict.REJECT
    if Severity.WARN in severities:
        return Verdict.REVIEW
    return Verdict.PASS


def review(request: ReviewRequest, *, kb: KnowledgeBase | None = None, overrides: RuleOverrides | None = None,
           today: date | None = None) -> ReviewResponse:
    if kb is None:
        kb = get_knowledge_base()
    out = Collector(overrides or NO_OVERRIDES)
    items = resolve_items(kb, request)
    check_legal(request, items, out, today or local_today())
    check_format(request, items, out)
    check_banned(items, out)
    check_interactions(kb, items, out)
    check_duplicates(kb, items, out)
    known = [item for item in items if item.drug is not None]
    for item in known:
        check_dose(kb, request, item, out)
    check_allergies(kb, request, items, out)
    for item in known:
        check_special_populations(kb, request, item, out)
    codes = clinical_codes(request)
    for item in known:
        check_conditions(kb, codes, item, out)
    for item in known:
        check_indication(kb, request, codes, item, out)
    return ReviewResponse.model_construct(verdict=verdict_of(out.findings), kb_version=kb.version,
                                          findings=out.findings)
