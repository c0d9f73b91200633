"""Periodic jobs of the inventory domain (run by core.jobs)."""
from datetime import timedelta

from healthhub.core.jobs import PeriodicJob
from healthhub.inventory.reservations import expire_reservations

JOBS = [
    PeriodicJob("inventory.expire-reservations", timedelta(minutes=1),
                lambda session, now: expire_reservations(session, now=now),
                "release stock held by abandoned checkouts"),
]
