"""Periodic jobs of identity (run by core.jobs)."""
from datetime import timedelta

from healthhub.core.jobs import PeriodicJob
from healthhub.identity.ratelimit import prune_login_failures

JOBS = [
    PeriodicJob("identity.prune-login-failures", timedelta(hours=1), prune_login_failures,
                "forget failed-login counters of (username, address) pairs quiet for a day"),
]
