"""Permissions, in two layers, and the route × role table that reads the first.

- Route level: who may call a route at all, declared once per route as a gate dependency that carries its
  `Access`: `identity.deps.CurrentUser` for any signed-in account, `identity.deps.require_roles(Role.X, ...)`
  (built on `role_gate` below) for listed roles. The review service passes its own caller (a tenant API key
  or a user) to the same `require_roles`.
- Object level: whether this caller may reach this object, decided by pure functions in each domain's
  `policies.py` (`can_<verb>_<thing>(principal, thing) -> bool`); the service or route that loaded the object
  asks and answers 404 (or 403), never compares roles itself.

A route states its audience in exactly one place, so what is enforced and what is listed cannot disagree:
- on the route itself, through its gate dependency: the object that refuses a caller is the object the
  table reads;
- routes that need no login (login itself, the storefront, provider callbacks, probes) have no gate, so they
  are listed with the reason in their domain's `permissions.py: OPEN_ROUTES`, or in `PROBES` below.
`route_table()` joins both and names every route declared twice or not at all; tests/core/test_route_roles.py
walks every role through the result.
"""
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from healthhub.core.error_codes import ErrorCode
from healthhub.core.errors import Forbidden

RouteKey = tuple[str, str]  # (HTTP method, path template), e.g. ("GET", "/api/v1/orders/{order_id}")


class Audience(StrEnum):
    PUBLIC = "public"  # no login needed; a logged-in caller may see more
    SIGNED_CALLBACK = "signed_callback"  # no login; the caller proves itself by signing the request
    ANY_USER = "any_user"  # any logged-in account; object-level checks decide what it reaches
    ROLES = "roles"  # only the listed roles (Role values, or a tenant API key's role)


@dataclass(frozen=True)
class Access:
    audience: Audience
    roles: frozenset[str] = frozenset()

    @classmethod
    def for_roles(cls, roles: Iterable[str]) -> "Access":
        return cls(Audience.ROLES, frozenset(str(r) for r in roles))

    @property
    def needs_login(self) -> bool:
        return self.audience in (Audience.ANY_USER, Audience.ROLES)

    def __and__(self, other: "Access") -> "Access":
        # Two gates on one route both have to let the caller through.
        if self.audience != Audience.ROLES:
            return other if other.needs_login else self
        if other.audience != Audience.ROLES:
            return self
        return Access(Audience.ROLES, self.roles & other.roles)

    def __str__(self) -> str:
        return ", ".join(sorted(self.roles)) if self.audience == Audience.ROLES else self.audience.value


PUBLIC = Access(Audience.PUBLIC)
SIGNED_CALLBACK = Access(Audience.SIGNED_CALLBACK)
ANY_USER = Access(Audience.ANY_USER)

# The application's own routes (healthhub/app.py): probes and metrics, which carry no personal data.
PROBES: dict[RouteKey, Access] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # request counts and latencies per route template, no ids or people
}

_GATE_ATTRIBUTE = "route_access"


def gate(dependency: Callable[..., Any], access: Access) -> Callable[..., Any]:
    """Marks an auth dependency with the access it enforces, so the route table reads it from the route."""
    setattr(dependency, _GATE_ATTRIBUTE, access)
    return dependency


def role_gate(authenticate: Callable[..., Any], roles: Iterable[str], *,
              labels: Mapping[str, str]) -> Callable[..., Any]:
    """A gate admitting the callers `authenticate` yields whose `role` is among `roles`; others get 403.

    `authenticate` answers 401 itself for nobody it recognises. Core knows no accounts, so the caller is
    anything with a `role`: identity's signed-in user, or the review service's tenant API key. `labels`
    names the roles in Chinese for the refusal a person reads (codes stay in its English half)."""
    allowed = frozenset(str(r) for r in roles)
    codes = ", ".join(sorted(allowed))
    names = "、".join(labels.get(role, role) for role in sorted(allowed))

    async def dependency(caller: Annotated[Any, Depends(authenticate)]) -> Any:
        if str(caller.role) not in allowed:
            raise Forbidden(f"当前角色无权执行此操作（需要：{names}）/ your role may not do this (needs: {codes})",
                            code=ErrorCode.FORBIDDEN_ROLE)
        return caller

    return gate(dependency, Access.for_roles(allowed))


def _gates(dependant: Dependant) -> Iterator[Access]:
    for sub in dependant.dependencies:
        access = getattr(sub.call, _GATE_ATTRIBUTE, None)
        if access is not None:
            yield access  # a gate's own sub-dependencies (the login it builds on) are its implementation
        else:
            yield from _gates(sub)


def gated_access(dependant: Dependant) -> Access | None:
    """The access a route's gate dependencies enforce, None when it has none."""
    found = None
    for access in _gates(dependant):
        found = access if found is None else found & access
    return found


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the template, e.g. /api/v1/orders/{order_id}
    dependant: Dependant = field(compare=False, repr=False)

    @property
    def key(self) -> RouteKey:
        return self.method, self.path


def api_routes(app: FastAPI) -> list[Route]:
    """Every API and page route, one per method; /static, /docs and /openapi.json are not API routes."""
    # Included routers stay nested in app.routes; iter_route_contexts flattens them with their prefixes.
    return [Route(method, context.path, context.dependant) for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute)
            for method in sorted(context.methods - {"HEAD", "OPTIONS"})]


@dataclass
class RouteTable:
    access: dict[RouteKey, Access]
    undeclared: list[RouteKey]  # no gate and not listed as open
    declared_twice: list[RouteKey]  # a gate and an open-route entry
    stale: list[RouteKey]  # open-route entries naming no route


def route_table(app: FastAPI, open_routes: Iterable[Mapping[RouteKey, Access]]) -> RouteTable:
    """Every route of `app` with its access; `open_routes`: the domains' OPEN_ROUTES tables."""
    listed: dict[RouteKey, Access] = dict(PROBES)
    for declared in open_routes:
        listed.update(declared)
    table = RouteTable(access={}, undeclared=[], declared_twice=[], stale=[])
    routes = api_routes(app)
    for route in routes:
        gated = gated_access(route.dependant)
        if gated is not None and route.key in listed:
            table.declared_twice.append(route.key)
        access = gated or listed.get(route.key)
        if access is None:
            table.undeclared.append(route.key)
        else:
            table.access[route.key] = access
    table.stale = sorted(set(listed) - {route.key for route in routes})
    return table
