"""The doctor's use cases: write a draft, sign it (SM2), revise a returned one, confirm for the pharmacist.

IDT-07: every function here takes the authenticated Principal and refuses anyone but a doctor user
who treats the consultation right now; there is no path for other roles or for system actors (AI
assistants act as the system and never hold a doctor's principal).
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import audit, signing
from healthhub.core.dates import local_today
from healthhub.core.db import utcnow
from healthhub.core.errors import Forbidden, RuleViolation
from healthhub.core.public_ids import encode
from healthhub.hospital import service as hospital
from healthhub.identity.service import Principal
from healthhub.knowledge.model import DrugFacts
from healthhub.knowledge.service import get_knowledge_base
from healthhub.patients import service as patients
from healthhub.prescriptions import rules
from healthhub.prescriptions.errors import ErrorCode
from healthhub.prescriptions.models import DoctorSigningKey, Prescription, PrescriptionItem
from healthhub.prescriptions.policies import can_change_prescription
from healthhub.prescriptions.review_request import build_review_request
from healthhub.prescriptions.schemas import PrescriptionIn
from healthhub.prescriptions.service import (load_row, canonical_content, end_of_validity,
                                             require_valid_signature, transition)
from healthhub.prescriptions.statemachine import RxEvent, RxStatus
from healthhub.review import service as review



def knowledge_base():
    return get_knowledge_base()


def search_drugs(query: str, *, limit: int = 20) -> list[DrugFacts]:
    """Exact name/alias/ATC first, then substring matches on Chinese and English generic names."""
    text = query.strip().casefold()
    if not text:
        return []
    kb = knowledge_base()
    exact = kb.resolve(text)
    found = [exact] if exact else []
    for drug in kb.drugs():
        if len(found) >= limit:
            break
        if drug is not exact and (text in drug.name_zh or text in drug.name_en.casefold()
                                  or any(text in alias.casefold() for alias in drug.aliases)):
            found.append(drug)
    return found


@dataclass(frozen=True)
class Context:
    consultation: hospital.ConsultationView
    patient: patients.PatientView
    doctor: hospital.DoctorView


def _prescriber_rules(principal: Principal | None) -> None:
    facts = rules.PrescriberFacts(role=str(principal.role) if principal else "system",
                                  is_system_actor=principal is None, owns_consultation=True, consultation_active=True)
    if errors := rules.idt07_prescriber(facts):
        raise Forbidden(errors[0].message, code=ErrorCode.RX_PRESCRIBER_NOT_ALLOWED)


def context_for(session: Session, *, principal: Principal | None, consultation_id: int) -> Context:
    """IDT-07 (role, treating doctor, consultation in progress), IDT-04/05, DP-02 and IDT-10 via the hospital."""
    _prescriber_rules(principal)
    consultation = hospital.assert_can_prescribe(session, consultation_id=consultation_id, doctor_user_id=principal.id)
    patient = patients.get_patient(session, patient_id=consultation.patient_id)
    if errors := rules.idt10_under_six(rules.PatientFacts(patient.age_years, consultation.under6_confirmed)):
        raise RuleViolation(errors[0].message, code=ErrorCode.UNDER6_CONFIRMATION_REQUIRED)
    return Context(consultation, patient, hospital.get_doctor_by_user(session, user_id=principal.id))


def _drug_info(facts: DrugFacts | None) -> rules.DrugInfo | None:
    if facts is None:
        return None
    return rules.DrugInfo(key=facts.key, name_zh=facts.name_zh,
                          special_class=facts.special_class.value if facts.special_class else None,
                          antimicrobial=facts.antimicrobial, cold_chain=facts.cold_chain)


def to_draft(data: PrescriptionIn) -> tuple[rules.RxDraft, list[DrugFacts | None]]:
    kb = knowledge_base()
    resolved = [kb.resolve(item.name.strip()) for item in data.items]
    lines = tuple(rules.RxLine(name=item.name.strip(), drug=_drug_info(facts), dose=item.dose, unit=item.unit,
                               frequency=item.frequency, route=item.route, days=item.days, quantity=item.quantity)
                  for item, facts in zip(data.items, resolved, strict=True))
    draft = rules.RxDraft(lines=lines, diagnoses=tuple(d.code for d in data.diagnoses), emergency=data.emergency,
                          long_term=data.long_term, extended_reason=data.extended_reason,
                          patient_confirmed_long_term=data.patient_confirmed_long_term,
                          validity_days=data.validity_days)
    return draft, resolved


def check(session: Session, *, principal: Principal | None, data: PrescriptionIn) -> list[rules.RuleError]:
    """Live checks for the prescribe page: context problems raise, content problems are listed."""
    context_for(session, principal=principal, consultation_id=data.consultation_id)
    return rules.check_draft(to_draft(data)[0])


def _refuse(errors: list[rules.RuleError]) -> None:
    if errors:
        summary = "；".join(f"[{e.rule}] {e.message}" for e in errors[:5])
        raise RuleViolation(summary, code=ErrorCode.RX_RULES_FAILED,
                            errors=[{"rule": e.rule, "message": e.message, "field": e.field} for e in errors])


def _fill(rx: Prescription, data: PrescriptionIn, resolved: list[DrugFacts], context: Context) -> None:
    patient, doctor = context.patient, context.doctor
    sex = "男" if patient.sex == "M" else "女"
    rx.patient_label = f"{patient.masked_name}（{sex}，{patient.age_text}）"
    rx.patient_snapshot = {"name": patient.name, "sex": patient.sex, "birth_date": patient.birth_date.isoformat(),
                           "age": patient.age_text, "weight_kg": patient.weight_kg}
    rx.doctor_snapshot = {"name": doctor.name, "title": doctor.title, "licence_no": doctor.licence_no,
                          "institution": doctor.institution, "department": context.consultation.department}
    rx.diagnoses = [{"code": d.code, "name": d.name} for d in data.diagnoses]
    rx.emergency, rx.long_term = data.emergency, data.long_term
    rx.extended_reason, rx.patient_confirmed_long_term = data.extended_reason, data.patient_confirmed_long_term
    rx.validity_days = data.validity_days
    rx.kb_version = str(knowledge_base().version)
    rx.items = [PrescriptionItem(line_no=n, knowledge_key=facts.key, generic_name=facts.name_zh,
                                 dose=format(item.dose.normalize(), "f"), unit=item.unit, frequency=item.frequency,
                                 route=item.route, days=item.days, quantity=item.quantity, note=item.note.strip())
                for n, (item, facts) in enumerate(zip(data.items, resolved, strict=True), start=1)]


def _new_number(now: datetime) -> str:
    """Date plus a random suffix: unique without counting rows, so concurrent doctors never collide."""
    return f"RX{local_today(now):%Y%m%d}{secrets.token_hex(4).upper()}"


def create_draft(session: Session, *, principal: Principal | None, data: PrescriptionIn) -> Prescription:
    context = context_for(session, principal=principal, consultation_id=data.consultation_id)
    draft, resolved = to_draft(data)
    _refuse(rules.check_draft(draft))
    now = utcnow()
    rx = Prescription(number=_new_number(now), version=1, status=RxStatus.DRAFT.value,
                      consultation_id=context.consultation.id, patient_id=context.patient.id,
                      account_user_id=context.patient.account_user_id, doctor_id=context.doctor.id,
                      doctor_user_id=principal.id)
    _fill(rx, data, resolved, context)
    session.add(rx)
    session.flush()
    audit.record(session, action="prescription.draft", entity_type="prescription", entity_id=rx.id,
                 detail={"number": rx.number, "consultation_id": rx.consultation_id,
                         "drugs": [i.knowledge_key for i in rx.items]})
    return rx


def _own_draft(session: Session, principal: Principal | None, prescription_id: int) -> Prescription:
    _prescriber_rules(principal)
    rx = load_row(session, prescription_id=prescription_id, lock=True)
    if not can_change_prescription(principal, rx):
        raise Forbidden("只能修改自己开具的处方 / only the prescribing doctor may change it", code=ErrorCode.RX_NOT_YOURS)
    return rx


def update_draft(session: Session, *, principal: Principal | None, prescription_id: int,
                 data: PrescriptionIn) -> Prescription:
    rx = _own_draft(session, principal, prescription_id)
    if rx.status != RxStatus.DRAFT:
        raise RuleViolation("只有草稿可以修改；已签名的处方不能改动 / only a draft can be changed", code=ErrorCode.RX_NOT_DRAFT)
    if data.consultation_id != rx.consultation_id:
        raise RuleViolation("不能把处方移到另一次问诊 / a prescription stays with its consultation",
                            code=ErrorCode.RX_CONSULTATION_CHANGED)
    context = context_for(session, principal=principal, consultation_id=rx.consultation_id)
    draft, resolved = to_draft(data)
    _refuse(rules.check_draft(draft))
    rx.items.clear()
    session.flush()
    _fill(rx, data, resolved, context)
    session.flush()
    audit.record(session, action="prescription.update", entity_type="prescription", entity_id=rx.id,
                 detail={"drugs": [i.knowledge_key for i in rx.items]})
    return rx


def signing_key_for(session: Session, *, doctor_user_id: int) -> DoctorSigningKey:
    """The doctor's SM2 key pair, created on first use; the private key never leaves this module unencrypted."""
    key = session.execute(select(DoctorSigningKey).where(DoctorSigningKey.doctor_user_id == doctor_user_id)
                          ).scalar_one_or_none()
    if key is None:
        private_hex, public_hex = signing.generate_keypair()
        key = DoctorSigningKey(doctor_user_id=doctor_user_id, public_key=public_hex, private_key=private_hex)
        session.add(key)
        session.flush()
        audit.record(session, action="prescription.signing_key.create", entity_type="signing_key", entity_id=key.id,
                     detail={"doctor_user_id": doctor_user_id, "public_key": public_hex})
    return key


def sign(session: Session, *, principal: Principal | None, prescription_id: int, confirm: bool) -> Prescription:
    """DRAFT → SIGNED → UNDER_REVIEW in one transaction, then hands it to the pharmacists (IDT-08)."""
    rx = _own_draft(session, principal, prescription_id)
    if not confirm:
        raise RuleViolation("请确认处方内容后再签名 / confirm the prescription before signing", code=ErrorCode.RX_SIGN_UNCONFIRMED)
    if rx.status != RxStatus.DRAFT:
        raise RuleViolation("处方已签名，不能再次签名 / already signed", code=ErrorCode.RX_NOT_DRAFT)
    context = context_for(session, principal=principal, consultation_id=rx.consultation_id)
    # The saved draft re-read in the client's shape, so signing checks exactly what the form checks.
    data = PrescriptionIn(consultation_id=encode(rx.consultation_id), diagnoses=rx.diagnoses, emergency=rx.emergency,
                          long_term=rx.long_term, extended_reason=rx.extended_reason,
                          patient_confirmed_long_term=rx.patient_confirmed_long_term, validity_days=rx.validity_days,
                          items=[{"name": i.generic_name, "dose": i.dose, "unit": i.unit, "frequency": i.frequency,
                                  "route": i.route, "days": i.days, "quantity": i.quantity, "note": i.note}
                                 for i in rx.items])
    _refuse(rules.check_draft(to_draft(data)[0]))
    key = signing_key_for(session, doctor_user_id=principal.id)
    now = utcnow().replace(microsecond=0)
    rx.signed_at, rx.issued_on = now, local_today(now)
    rx.valid_until = rx.issued_on + timedelta(days=rx.validity_days)
    rx.expires_at, rx.signing_key_id = end_of_validity(rx.valid_until), key.id
    canonical = signing.canonical_form(canonical_content(rx))
    rx.content_digest = signing.content_digest(canonical)
    rx.signature = signing.sign(key.private_key, key.public_key, canonical)
    transition(session, rx=rx, event=RxEvent.SIGN, actor_user_id=principal.id, note=f"SM2 digest {rx.content_digest[:16]}")
    transition(session, rx=rx, event=RxEvent.SUBMIT, actor_user_id=principal.id, note="submitted for pharmacist review")
    session.flush()
    review.submit_prescription(session, prescription_id=rx.id,
                               request=build_review_request(session, rx, context.patient, context.doctor),
                               doctor_user_id=principal.id, patient_label=rx.patient_label)
    return rx


def revise(session: Session, *, principal: Principal | None, prescription_id: int) -> Prescription:
    """A RETURNED prescription stays as history; its content is copied into a new DRAFT version."""
    old = _own_draft(session, principal, prescription_id)
    if old.status != RxStatus.RETURNED or old.superseded_by_id is not None:
        raise RuleViolation("只有被药师退回且尚未修改的处方可以修改重开 / only a returned prescription can be revised",
                            code=ErrorCode.RX_NOT_RETURNED)
    context_for(session, principal=principal, consultation_id=old.consultation_id)
    new = Prescription(number=old.number, version=old.version + 1, previous_id=old.id, status=RxStatus.DRAFT.value,
                       consultation_id=old.consultation_id, patient_id=old.patient_id,
                       account_user_id=old.account_user_id, doctor_id=old.doctor_id, doctor_user_id=old.doctor_user_id,
                       patient_label=old.patient_label, patient_snapshot=dict(old.patient_snapshot),
                       doctor_snapshot=dict(old.doctor_snapshot), diagnoses=list(old.diagnoses),
                       emergency=old.emergency, long_term=old.long_term, extended_reason=old.extended_reason,
                       patient_confirmed_long_term=old.patient_confirmed_long_term, validity_days=old.validity_days,
                       kb_version=old.kb_version,
                       items=[PrescriptionItem(line_no=i.line_no, knowledge_key=i.knowledge_key,
                                               generic_name=i.generic_name, dose=i.dose, unit=i.unit,
                                               frequency=i.frequency, route=i.route, days=i.days,
                                               quantity=i.quantity, note=i.note) for i in old.items])
    session.add(new)
    session.flush()
    old.superseded_by_id = new.id
    audit.record(session, action="prescription.revise", entity_type="prescription", entity_id=new.id,
                 detail={"number": new.number, "version": new.version, "previous_id": old.id})
    return new


def confirm_for_review(session: Session, *, principal: Principal | None, prescription_id: int, comment: str,
                       confirm: bool) -> Prescription:
    """RV-05 double sign: the doctor re-signs the unchanged prescription together with the answer."""
    rx = _own_draft(session, principal, prescription_id)
    if not confirm:
        raise RuleViolation("请确认后再签名 / confirm before signing", code=ErrorCode.RX_SIGN_UNCONFIRMED)
    if rx.status != RxStatus.UNDER_REVIEW or rx.confirmation_requested_at is None or rx.doctor_confirmed_at:
        raise RuleViolation("药师没有请求确认该处方 / no confirmation was requested", code=ErrorCode.RX_NO_CONFIRMATION_PENDING)
    require_valid_signature(session, rx=rx)
    key = signing_key_for(session, doctor_user_id=principal.id)
    now = utcnow().replace(microsecond=0)
    statement = signing.canonical_form({"prescription": rx.content_digest, "question": rx.confirmation_question,
                                        "comment": comment, "confirmed_at": now.isoformat()})
    rx.doctor_confirm_signature = signing.sign(key.private_key, key.public_key, statement)
    rx.doctor_confirmed_at, rx.doctor_confirm_comment = now, comment
    session.flush()
    audit.record(session, action="prescription.doctor_confirm", entity_type="prescription", entity_id=rx.id,
                 detail={"comment": comment, "statement_digest": signing.content_digest(statement)})
    review.record_prescriber_confirmation(session, prescription_id=rx.id, doctor_user_id=principal.id,
                                          comment=comment)
    return rx
