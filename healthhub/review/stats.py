"""Usage (reviews per day, verdict counts) and pharmacist SLA (waiting time, throughput).

Days are China Standard Time days, the clinics' working day, not UTC. Windows are bounded
(≤ 90 days), so the rows are aggregated in Python: one code path for SQLite and PostgreSQL.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthhub.core.dates import china_day_start, local_today
from healthhub.core.db import utcnow
from healthhub.identity.service import principals_by_id
from healthhub.review.decisions import Status
from healthhub.review.models import ReviewRecord
from healthhub.review.policies import Caller, visible_reviews

MAX_DAYS = 90
VERDICTS = ("pass", "review", "reject")


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no data (an empty queue has no waiting time, not zero)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


@dataclass
class DayUsage:
    day: date
    total: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))


@dataclass
class Usage:
    days: list[DayUsage]
    total: int
    verdicts: dict[str, int]
    statuses: dict[str, int]


def _window(days: int, now: datetime) -> tuple[datetime, list[date]]:
    days = max(1, min(days, MAX_DAYS))
    today = local_today(now)
    first = today - timedelta(days=days - 1)
    start = china_day_start(first)
    return start, [first + timedelta(days=i) for i in range(days)]


def _scoped(query, caller: Caller, tenant_id: int | None, platform_only: bool):
    query = query.where(visible_reviews(caller))
    if platform_only:
        return query.where(ReviewRecord.tenant_id.is_(None))
    if tenant_id is not None:
        return query.where(ReviewRecord.tenant_id == tenant_id)
    return query


def usage(session: Session, caller: Caller, *, days: int = 30, tenant_id: int | None = None,
          platform_only: bool = False, now: datetime | None = None) -> Usage:
    start, day_list = _window(days, now or utcnow())
    rows = session.execute(_scoped(select(ReviewRecord.created_at, ReviewRecord.verdict, ReviewRecord.status)
                                   .where(ReviewRecord.created_at >= start), caller, tenant_id,
                                   platform_only)).all()
    per_day = {d: DayUsage(day=d) for d in day_list}
    verdicts, statuses = Counter(), Counter()
    for created_at, verdict, status in rows:
        bucket = per_day.get(local_today(created_at))
        if bucket is not None:
            bucket.total += 1
            bucket.verdicts[verdict] = bucket.verdicts.get(verdict, 0) + 1
        verdicts[verdict] += 1
        statuses[status] += 1
    return Usage(days=list(per_day.values()), total=len(rows),
                 verdicts={v: verdicts.get(v, 0) for v in VERDICTS}, statuses=dict(statuses))


@dataclass
class Throughput:
    pharmacist_user_id: int
    pharmacist_name: str
    day: date
    decided: int


@dataclass
class Sla:
    decided: int
    wait_p50_minutes: float | None
    wait_p90_minutes: float | None
    pending: int
    awaiting_doctor: int
    oldest_pending_minutes: float | None
    throughput: list[Throughput]


def sla(session: Session, caller: Caller, *, days: int = 7, tenant_id: int | None = None,
        platform_only: bool = False, now: datetime | None = None) -> Sla:
    now = now or utcnow()
    start, _ = _window(days, now)
    decided_rows = session.execute(_scoped(
        select(ReviewRecord.queued_at, ReviewRecord.decided_at, ReviewRecord.decided_by_user_id)
        .where(ReviewRecord.decided_at >= start, ReviewRecord.decided_by_user_id.is_not(None),
               ReviewRecord.queued_at.is_not(None),
               ReviewRecord.status.in_([Status.APPROVED.value, Status.RETURNED.value])),
        caller, tenant_id, platform_only)).all()
    # Waiting time is what the patient feels: from entering the queue to the pharmacist's decision.
    waits = [(decided - queued).total_seconds() / 60 for queued, decided, _ in decided_rows]
    per_pharmacist_day = Counter((user_id, local_today(decided)) for _, decided, user_id in decided_rows)
    names = {uid: user.display_name
             for uid, user in principals_by_id(session, user_ids={uid for uid, _ in per_pharmacist_day}).items()}
    throughput = [Throughput(pharmacist_user_id=uid, pharmacist_name=names.get(uid, str(uid)), day=day, decided=count)
                  for (uid, day), count in sorted(per_pharmacist_day.items(), key=lambda item: (item[0][1], item[0][0]),
                                                  reverse=True)]
    open_counts = defaultdict(int, session.execute(_scoped(
        select(ReviewRecord.status, func.count()).where(
            ReviewRecord.status.in_([Status.PENDING.value, Status.AWAITING_DOCTOR.value]))
        .group_by(ReviewRecord.status), caller, tenant_id, platform_only)).all())
    oldest = session.execute(_scoped(select(func.min(ReviewRecord.queued_at))
                                     .where(ReviewRecord.status == Status.PENDING.value),
                                     caller, tenant_id, platform_only)).scalar_one_or_none()
    return Sla(decided=len(decided_rows), wait_p50_minutes=percentile(waits, 50),
               wait_p90_minutes=percentile(waits, 90), pending=open_counts[Status.PENDING.value],
               awaiting_doctor=open_counts[Status.AWAITING_DOCTOR.value],
               oldest_pending_minutes=(now - oldest).total_seconds() / 60 if oldest else None, throughput=throughput)
