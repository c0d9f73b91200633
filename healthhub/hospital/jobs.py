"""Periodic jobs of the internet hospital (run by core.jobs)."""
from datetime import timedelta

from healthhub.core.jobs import PeriodicJob
from healthhub.hospital.service_consultations import reassign_stale

JOBS = [
    PeriodicJob("hospital.reassign-stale", timedelta(minutes=1),
                lambda session, now: len(reassign_stale(session, now=now)),
                "re-assign consultation requests no doctor answered in time"),
]
