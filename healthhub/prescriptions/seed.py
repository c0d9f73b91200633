"""Demo data: SM2 key pairs for the doctors, and prescriptions in several states for the demo patient,
all written through the real services (signed by the demo doctor, decided by the demo pharmacist)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.errors import AppError
from healthhub.core.public_ids import encode
from healthhub.hospital import service as hospital
from healthhub.hospital.service_consultations import ConsultationRequest, accept, request_consultation
from healthhub.hospital.service_doctors import go_online
from healthhub.identity.roles import Role
from healthhub.identity.seed import DEMO_PASSWORD, DEMO_USERNAMES
from healthhub.identity.service import get_user, principal_of
from healthhub.patients import service as patients
from healthhub.prescriptions import prescribing
from healthhub.prescriptions.models import Prescription
from healthhub.prescriptions.schemas import PrescriptionIn
from healthhub.review import workbench
from healthhub.review.policies import Caller
from healthhub.seed.context import SeedContext

ORDER = 40

# (items, outcome of the pharmacist review): one approved (buyable), one waiting, one returned.
DEMO_PRESCRIPTIONS = (
    ([{"name": "氨氯地平", "dose": "5", "unit": "mg", "frequency": "qd", "route": "口服", "days": 7, "quantity": 1}],
     "approve"),
    ([{"name": "二甲双胍", "dose": "0.5", "unit": "g", "frequency": "bid", "route": "口服", "days": 7, "quantity": 1}],
     None),
    ([{"name": "阿托伐他汀", "dose": "20", "unit": "mg", "frequency": "qn", "route": "口服", "days": 7, "quantity": 1}],
     "return"),
)


def _signing_keys(session: Session) -> None:
    offset = 0
    while doctors := hospital.list_doctors(session, limit=100, offset=offset):
        for doctor in doctors:
            prescribing.signing_key_for(session, doctor_user_id=doctor.user_id)
        offset += len(doctors)


def _consultation_for(session: Session, patient_user_id: int, doctor_user_id: int) -> int | None:
    """The demo patient's consultation with the demo doctor in progress, opening one when needed."""
    doctor = hospital.get_doctor_by_user(session, user_id=doctor_user_id)
    for patient in patients.list_patients_of_account(session, account_user_id=patient_user_id):
        for consultation in hospital.list_consultations_of_patient(session, patient_id=patient.id):
            if consultation.status == "in_progress" and consultation.doctor_id == doctor.id:
                return consultation.id
        records = [r for r in hospital.list_records(session, patient_id=patient.id) if r.kind == "earlier_diagnosis"]
        if records and doctor.department_ids:
            opened = request_consultation(session, account_user_id=patient_user_id, data=ConsultationRequest(
                patient_id=patient.id, department_id=doctor.department_ids[0],
                complaint="高血压、糖尿病复诊，血压血糖控制平稳，需续开药物", record_id=records[0].id))
            accept(session, doctor_user_id=doctor_user_id, consultation_id=opened.id)
            return opened.id
    return None


def seed(session: Session, ctx: SeedContext) -> None:
    users = ctx.shared.get("users", {})
    patient_user_id, doctor_user_id = users.get(Role.PATIENT.value), users.get(Role.DOCTOR.value)
    pharmacist_user_id = users.get(Role.PHARMACIST.value)
    _signing_keys(session)
    if not (patient_user_id and doctor_user_id and pharmacist_user_id):
        return
    if session.execute(select(Prescription.id).where(Prescription.account_user_id == patient_user_id)).first():
        return
    doctor_user = get_user(session, user_id=doctor_user_id)
    try:
        go_online(session, doctor_user_id=doctor_user_id, username=DEMO_USERNAMES[Role.DOCTOR], method="password",
                  secret=DEMO_PASSWORD)
        consultation_id = _consultation_for(session, patient_user_id, doctor_user_id)
    except AppError:
        return  # the hospital's demo data has no eligible doctor or patient for the demo accounts
    if consultation_id is None:
        return
    doctor = principal_of(doctor_user)
    diagnoses = [{"code": "I10", "name": "原发性高血压"}, {"code": "E11.9", "name": "2型糖尿病"}]
    pharmacist = Caller(role=Role.PHARMACIST.value, user_id=pharmacist_user_id)
    for items, outcome in DEMO_PRESCRIPTIONS:
        rx = prescribing.create_draft(session, principal=doctor, data=PrescriptionIn(
            consultation_id=encode(consultation_id), diagnoses=diagnoses, items=items, validity_days=3))
        prescribing.sign(session, principal=doctor, prescription_id=rx.id, confirm=True)
        record = workbench.open_review_for_prescription(session, prescription_id=rx.id)
        if record is None or outcome is None:
            continue
        if outcome == "approve":
            workbench.approve(session, caller=pharmacist, record=record, note="审核通过，用法用量适宜")
        else:
            workbench.return_to_doctor(session, caller=pharmacist, record=record, reason="请核对他汀类药物的服用时间与剂量")
