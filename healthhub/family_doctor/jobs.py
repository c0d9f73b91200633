"""Periodic jobs of the family-doctor domain (run by core.jobs)."""
from datetime import timedelta

from healthhub.core.jobs import PeriodicJob
from healthhub.family_doctor.service import expire_subscriptions

JOBS = [
    PeriodicJob("family-doctor.expire-subscriptions", timedelta(minutes=10),
                lambda session, now: expire_subscriptions(session, now=now),
                "close service-package subscriptions past their period"),
]
