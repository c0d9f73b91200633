"""Per-role navigation. Domains add their entries with `add_menu`, the shell renders them."""
from dataclasses import dataclass


@dataclass(frozen=True)
class MenuItem:
    label: str
    href: str
    roles: frozenset[str]
    order: int = 100


_items: list[MenuItem] = []


def add_menu(label: str, href: str, roles: set[str] | frozenset[str], order: int = 100) -> None:
    item = MenuItem(label, href, frozenset(str(r) for r in roles), order)
    if item not in _items:
        _items.append(item)


def navigation_for(principal) -> list[MenuItem]:
    if principal is None:
        return []
    role = str(principal.role.value if hasattr(principal.role, "value") else principal.role)
    return sorted((i for i in _items if role in i.roles), key=lambda i: (i.order, i.label))
