"""Who is acting and from where, for audit entries and logs (set by middleware and auth)."""
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str


SYSTEM_ACTOR = Actor(user_id=None, username="system", role="system")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
client_ip_var: ContextVar[str | None] = ContextVar("client_ip", default=None)
actor_var: ContextVar[Actor] = ContextVar("actor", default=SYSTEM_ACTOR)
