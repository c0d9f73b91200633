"""One demo account per role, all with the documented demo password; `large` adds bulk patients."""
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from healthhub.core.crypto import field_cipher
from healthhub.core.db import utcnow
from healthhub.core.security import hash_password
from healthhub.identity.models import User
from healthhub.identity.roles import ROLE_LABELS, Role
from healthhub.identity.schemas import UserCreate
from healthhub.identity.service import create_user
from healthhub.seed.context import DemoLogin, SeedContext
from healthhub.seed.people import make_person
from healthhub.seed.places import districts_of, major_cities

ORDER = 0
DEMO_PASSWORD = "Demo-2026-hh"
DEMO_USERNAMES = {role: f"demo_{role.value}" for role in Role}
LARGE_PATIENTS = 100_000
BATCH = 5_000


def seed(session: Session, ctx: SeedContext) -> list[DemoLogin]:
    rng = ctx.rng("identity")
    districts = districts_of(major_cities()[0])
    logins = []
    for role in Role:
        username = DEMO_USERNAMES[role]
        person = make_person(rng, rng.choice(districts))
        existing = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if existing is None:
            existing = create_user(session, data=UserCreate(
                username=username, display_name=f"{person.name}（{ROLE_LABELS[role]}）", role=role,
                password=DEMO_PASSWORD, mobile=person.mobile,
                id_number=person.id_number if role == Role.PATIENT else None))
        ctx.shared.setdefault("users", {})[role.value] = existing.id
        logins.append((role.value, username, DEMO_PASSWORD))
    if ctx.large:
        _bulk_patients(session, ctx)
    return logins


def _bulk_patients(session: Session, ctx: SeedContext) -> None:
    """Benchmark-sized patient base across all major cities; one shared password hash keeps it fast."""
    existing = session.execute(select(func.count()).select_from(User).where(User.username.like("patient_%"))
                               ).scalar_one()
    if existing >= LARGE_PATIENTS:
        return
    rng, cipher, now = ctx.rng("identity-large"), field_cipher(), utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    districts = [d for city in major_cities() for d in districts_of(city)]
    rows, seen = [], set()
    for n in ctx.progress(range(existing, LARGE_PATIENTS), length=LARGE_PATIENTS - existing, label="patients"):
        person = make_person(rng, rng.choice(districts))
        while person.mobile in seen or person.id_number in seen:  # generated numbers may collide; unique indexes
            person = make_person(rng, rng.choice(districts))
        seen.update((person.mobile, person.id_number))
        rows.append({"username": f"patient_{n:06d}", "display_name": person.name, "role": Role.PATIENT.value,
                     "password_hash": password_hash, "mobile": person.mobile,
                     "mobile_index": cipher.blind_index(person.mobile), "id_number": person.id_number,
                     "id_number_index": cipher.blind_index(person.id_number), "is_active": True,
                     "created_at": now, "updated_at": now})
        if len(rows) == BATCH:
            session.execute(insert(User), rows)
            rows.clear()
    if rows:
        session.execute(insert(User), rows)
