"""One demo account per role (plus a few more patients), all with the documented demo password."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.identity.models import User
from healthhub.identity.roles import ROLE_LABELS, Role
from healthhub.identity.schemas import UserCreate
from healthhub.identity.service import create_user
from healthhub.seed.people import make_person
from healthhub.seed.places import districts_of, major_cities
from healthhub.seed.runner import DemoLogin, SeedContext

ORDER = 0
DEMO_PASSWORD = "Demo12345"
DEMO_USERNAMES = {role: f"demo_{role.value}" for role in Role}


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
    return logins
