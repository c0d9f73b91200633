"""Demo hospital: 24 centres, ~40 own and partner doctors (some not yet eligible under IDT-04), and past
consultations of the demo patient (whose family and earlier diagnoses the patients seeder adds first)."""
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.dates import add_years, local_today
from healthhub.core.db import utcnow
from healthhub.hospital import rules
from healthhub.hospital.centres import department_by_name, ensure_centres
from healthhub.hospital.models import ChatMessage, Centre, Consultation, Department, Doctor
from healthhub.hospital.service_doctors import DoctorProfile, ScheduleSlot, create_doctor, set_schedule
from healthhub.identity.roles import Role
from healthhub.identity.schemas import UserCreate
from healthhub.identity.seed import DEMO_PASSWORD
from healthhub.identity.service import create_user, get_user
from healthhub.patients import service as patients
from healthhub.seed.context import DemoLogin, SeedContext
from healthhub.seed.people import make_person
from healthhub.seed.places import districts_of, major_cities

ORDER = 30
DOCTOR_COUNT = 40
INSTITUTIONS = ("北京协和医院", "复旦大学附属华山医院", "四川大学华西医院", "中山大学附属第一医院", "浙江大学医学院附属第一医院",
                "武汉大学人民医院", "首都医科大学附属北京朝阳医院", "上海交通大学医学院附属瑞金医院")
OWN_INSTITUTION = "健康枢纽互联网医院"


def _licence(n: int) -> str:
    return f"1101{n:011d}"


def _seed_doctors(session: Session, ctx: SeedContext) -> None:
    rng = ctx.rng("hospital-doctors")
    districts = districts_of(major_cities()[0])
    centres = list(session.execute(select(Centre).order_by(Centre.sort_order)).scalars())
    today = local_today()
    demo_user = ctx.shared["users"]["doctor"]
    resp, gp = department_by_name(session, "呼吸内科"), department_by_name(session, "全科")
    doctor = create_doctor(session, profile=DoctorProfile(
        user_id=demo_user, name=get_user(session, user_id=demo_user).display_name.split("（")[0], title="副主任医师",
        licence_no=_licence(1), institution=OWN_INSTITUTION, affiliation="own", practice_started_on=date(2012, 7, 1),
        institution_consent=True, multi_site_filed=False, centre_id=resp.centre_id, department_ids=[resp.id, gp.id],
        specialties=["慢性咳嗽", "哮喘", "慢阻肺", "高血压随访"], introduction="从事呼吸内科临床工作十余年。"))
    set_schedule(session, doctor_id=doctor.id, slots=[ScheduleSlot(d, time(8), time(20)) for d in range(7)])
    for n in range(2, DOCTOR_COUNT + 1):
        person = make_person(rng, rng.choice(districts), min_age=27, max_age=64)
        user = create_user(session, data=UserCreate(
            username=f"doctor_{n:03d}", display_name=f"{person.name}（医生）", role=Role.DOCTOR,
            password=DEMO_PASSWORD, mobile=person.mobile))
        centre = centres[(n - 2) % len(centres)]
        departments = session.execute(select(Department.id).where(Department.centre_id == centre.id)).scalars().all()
        junior = n % 7 == 0  # fewer than 3 years of independent practice: not eligible online (IDT-04)
        started = today - timedelta(days=rng.randint(200, 1000) if junior else rng.randint(4 * 365, 30 * 365))
        partner = rng.random() < 0.4
        create_doctor(session, profile=DoctorProfile(
            user_id=user.id, name=person.name, title="住院医师" if junior else rng.choice(rules.TITLES[1:]),
            licence_no=_licence(n), institution=rng.choice(INSTITUTIONS) if partner else OWN_INSTITUTION,
            affiliation="partner" if partner else "own", practice_started_on=started, institution_consent=True,
            multi_site_filed=partner and n % 5 != 0, centre_id=centre.id, department_ids=list(departments),
            specialties=[], introduction=""))
        doctor_id = session.execute(select(Doctor.id).where(Doctor.user_id == user.id)).scalar_one()
        days = rng.sample(range(7), 3)
        shifts = [rng.choice(((8, 12), (13, 17), (18, 22))) for _ in days]
        set_schedule(session, doctor_id=doctor_id, slots=[ScheduleSlot(d, time(a), time(b))
                                                          for d, (a, b) in zip(days, shifts, strict=True)])


def _seed_past_consultations(session: Session, ctx: SeedContext, account: int) -> None:
    """Two finished follow-ups of the account holder's hypertension with the demo doctor, chat included."""
    me = next((p for p in patients.list_patients_of_account(session, account_user_id=account)
               if p.relationship == "本人"), None)
    records = patients.list_records(session, patient_id=me.id) if me else []
    if not records:
        return
    record = records[0]
    doctor = session.execute(select(Doctor).where(Doctor.user_id == ctx.shared["users"]["doctor"])).scalar_one()
    gp = department_by_name(session, "全科")
    now = utcnow()
    for weeks_ago, advice in ((3, "血压控制尚可，继续原方案，低盐饮食。"), (7, "建议家庭自测血压，每周记录。")):
        start = now - timedelta(weeks=weeks_ago)
        consultation = Consultation(
            patient_id=me.id, account_user_id=account, department_id=gp.id, doctor_id=doctor.id,
            record_id=record.id, status="completed", complaint="高血压复诊，近期血压135/85左右，需要续方。",
            queued_at=start, accepted_at=start + timedelta(minutes=3), first_reply_at=start + timedelta(minutes=4),
            ended_at=start + timedelta(minutes=18), diagnoses=[{"code": "I10", "name": "原发性高血压"}], advice=advice)
        session.add(consultation)
        session.flush()
        for offset, role, sender, text in ((1, "patient", account, "医生您好，我来复诊高血压。"),
                                           (4, "doctor", doctor.user_id, "您好，最近血压多少？有头晕吗？"),
                                           (6, "patient", account, "早上135/85左右，没有头晕。"),
                                           (15, "doctor", doctor.user_id, advice)):
            at = start + timedelta(minutes=offset)
            session.add(ChatMessage(consultation_id=consultation.id, sender_user_id=sender, sender_role=role,
                                    kind="text", text=text, created_at=at, retain_until=add_years(
                                        at.date(), rules.CHAT_RECORD_YEARS)))
    session.flush()


def seed(session: Session, ctx: SeedContext) -> list[DemoLogin]:
    ensure_centres(session)
    if session.execute(select(Doctor.id).where(Doctor.user_id == ctx.shared["users"]["doctor"])).first() is None:
        _seed_doctors(session, ctx)
    account = ctx.shared["users"]["patient"]
    if session.execute(select(Consultation.id).where(Consultation.account_user_id == account)).first() is None:
        _seed_past_consultations(session, ctx, account)
    return [("doctor", "doctor_002", DEMO_PASSWORD)]
