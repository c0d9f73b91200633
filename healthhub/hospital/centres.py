"""The 24 specialty centres and their departments (data/departments.csv, which also maps the
20 departments of the shared triage data set onto centres)."""
import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.public_ids import PublicId

from healthhub.hospital.models import Centre, Department

CATALOGUE = Path(__file__).resolve().parent / "data" / "departments.csv"


@dataclass(frozen=True)
class CentreEntry:
    id: PublicId
    name: str
    departments: list[tuple[PublicId, str]]


def ensure_centres(session: Session) -> None:
    """Idempotent: adds whatever centres and departments of the catalogue are missing."""
    centres = {c.code: c for c in session.execute(select(Centre)).scalars()}
    departments = set(session.execute(select(Department.name)).scalars())
    with CATALOGUE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            centre = centres.get(row["centre_code"])
            if centre is None:
                centre = Centre(code=row["centre_code"], name=row["centre"], sort_order=len(centres))
                session.add(centre)
                session.flush()
                centres[centre.code] = centre
            if row["department"] not in departments:
                session.add(Department(centre_id=centre.id, name=row["department"]))
                departments.add(row["department"])
    session.flush()


def list_centres(session: Session) -> list[CentreEntry]:
    rows = session.execute(select(Centre, Department).join(Department, Department.centre_id == Centre.id)
                           .order_by(Centre.sort_order, Department.id)).all()
    entries: dict[int, CentreEntry] = {}
    for centre, department in rows:
        entries.setdefault(centre.id, CentreEntry(centre.id, centre.name, [])).departments.append(
            (department.id, department.name))
    return list(entries.values())


def department_by_name(session: Session, name: str) -> Department | None:
    return session.execute(select(Department).where(Department.name == name)).scalar_one_or_none()
