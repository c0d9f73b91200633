"""Periodic jobs of the orders domain (run by core.jobs)."""
from datetime import timedelta

from healthhub.core.jobs import PeriodicJob
from healthhub.orders.lifecycle import expire_unpaid

JOBS = [
    PeriodicJob("orders.expire-unpaid", timedelta(minutes=1),
                lambda session, now: expire_unpaid(session, now=now),
                "close unpaid orders past their reservation time"),
]
