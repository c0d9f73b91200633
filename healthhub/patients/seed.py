"""Demo patients: the demo patient account's family (self, a child under 6, a parent), each with DP-02 consent
and an earlier diagnosis from a physical visit, so the internet hospital's demo can start from follow-ups."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.dates import local_today
from healthhub.core.identity_numbers import make_resident_id
from healthhub.identity.service import get_user
from healthhub.patients.models import Patient
from healthhub.patients.service import (HealthFacts, NewPatient, NewRecord, add_patient, add_record,
                                        grant_consent)
from healthhub.seed.context import SeedContext
from healthhub.seed.people import make_person
from healthhub.seed.places import districts_of, major_cities

ORDER = 25


def _seed_family(session: Session, ctx: SeedContext, account: int) -> None:
    holder = get_user(session, user_id=account)
    # The stream keeps the name it had when the hospital seeded patients, so the demo family stays the same.
    rng = ctx.rng("hospital-family")
    districts = districts_of(major_cities()[0])
    me = add_patient(session, account_user_id=account, data=NewPatient(
        relationship="本人", name=holder.display_name.split("（")[0], id_number=holder.id_number,
        health=HealthFacts(weight_kg=68.0, allergies=["青霉素"], conditions=[{"code": "I10", "name": "原发性高血压"}])))
    child_person = make_person(rng, rng.choice(districts), min_age=0, max_age=1)
    child_birth = local_today() - timedelta(days=3 * 365 + 40)
    child = add_patient(session, account_user_id=account, data=NewPatient(
        relationship="子女", name=me.name[0] + child_person.name[1:], guardian_relationship="父亲" if me.sex == "M"
        else "母亲", id_number=make_resident_id(child_person.district.adcode, child_birth, 17, female=False),
        health=HealthFacts(weight_kg=15.5)))
    elder_person = make_person(rng, rng.choice(districts), min_age=70, max_age=80)
    elder = add_patient(session, account_user_id=account, data=NewPatient(
        relationship="父母", name=elder_person.name, id_number=elder_person.id_number,
        health=HealthFacts(weight_kg=62.0, allergies=["磺胺类"], conditions=[
            {"code": "E11.9", "name": "2型糖尿病"}, {"code": "I10", "name": "原发性高血压"}])))
    today = local_today()
    for patient, kind, institution, days_ago, code, text in (
            (me, "门诊病历", "首都医科大学附属北京朝阳医院", 60, "I10", "原发性高血压"),
            (elder, "出院小结", "北京协和医院", 120, "E11.9", "2型糖尿病"),
            (child, "诊断证明", "首都儿科研究所附属儿童医院", 20, "J06.9", "急性上呼吸道感染")):
        grant_consent(session, account_user_id=account, patient_id=patient.id)
        add_record(session, account_user_id=account, patient_id=patient.id, data=NewRecord(
            record_type=kind, institution=institution, visit_date=today - timedelta(days=days_ago),
            diagnosis_code=code, diagnosis_text=text))


def seed(session: Session, ctx: SeedContext) -> None:
    account = ctx.shared["users"]["patient"]
    if session.execute(select(Patient.id).where(Patient.account_user_id == account)).first() is None:
        _seed_family(session, ctx, account)
