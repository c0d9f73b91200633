"""Operator metrics: time to the doctor's first reply, consultation duration, consultations per day."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.dates import CHINA
from healthhub.hospital.models import Consultation


@dataclass(frozen=True)
class ConsultationTimes:
    queued_at: datetime
    accepted_at: datetime | None
    first_reply_at: datetime | None
    ended_at: datetime | None
    status: str


@dataclass(frozen=True)
class Metrics:
    total: int
    completed: int
    terminated: int
    median_first_reply_s: float | None
    mean_first_reply_s: float | None
    median_duration_s: float | None
    mean_duration_s: float | None
    per_day: list[tuple[date, int]]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def summarise(rows: list[ConsultationTimes]) -> Metrics:
    """Pure: first reply counts from the request (what the patient waits), duration from acceptance."""
    replies = [(r.first_reply_at - r.queued_at).total_seconds() for r in rows if r.first_reply_at]
    durations = [(r.ended_at - r.accepted_at).total_seconds() for r in rows if r.ended_at and r.accepted_at]
    days: dict[date, int] = {}
    for r in rows:
        day = r.queued_at.astimezone(CHINA).date()
        days[day] = days.get(day, 0) + 1
    return Metrics(total=len(rows), completed=sum(r.status == "completed" for r in rows),
                   terminated=sum(r.status == "terminated" for r in rows),
                   median_first_reply_s=round(median(replies), 1) if replies else None, mean_first_reply_s=_mean(replies),
                   median_duration_s=round(median(durations), 1) if durations else None,
                   mean_duration_s=_mean(durations), per_day=sorted(days.items()))


def consultation_metrics(session: Session, *, day_from: date, day_to: date) -> Metrics:
    """Consultations requested between the two China-local days, inclusive."""
    start = datetime.combine(day_from, time.min, CHINA)
    stop = datetime.combine(day_to + timedelta(days=1), time.min, CHINA)
    rows = session.execute(select(Consultation.queued_at, Consultation.accepted_at, Consultation.first_reply_at,
                                  Consultation.ended_at, Consultation.status)
                           .where(Consultation.queued_at >= start, Consultation.queued_at < stop)).all()
    return summarise([ConsultationTimes(*row) for row in rows])
