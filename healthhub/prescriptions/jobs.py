"""Periodic jobs of the prescriptions domain (run by core.jobs)."""
from datetime import timedelta

from healthhub.core.jobs import PeriodicJob
from healthhub.prescriptions.service import expire_due

JOBS = [
    PeriodicJob("prescriptions.expire", timedelta(minutes=5),
                lambda session, now: expire_due(session, now=now),
                "mark approved prescriptions past their validity EXPIRED (RX-01)"),
]
