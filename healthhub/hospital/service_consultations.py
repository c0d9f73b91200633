"""Follow-up consultations (IDT-01/02): request, department queue, accept, diagnose, end or
terminate and refer offline (IDT-03), IDT-10 presence confirmations, re-assignment after a timeout."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from healthhub.core import audit, events
from healthhub.core.dates import local_today
from healthhub.core.db import utcnow
from healthhub.core.icd10 import normalize_icd10
from healthhub.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from healthhub.hospital import rules
from healthhub.hospital.errors import ErrorCode
from healthhub.hospital.events import ConsultationClosed, ConsultationRequested
from healthhub.hospital.models import Consultation, ConsultationEvent, ConsultationExclusion, Department, Doctor
from healthhub.hospital.service import consultation_row
from healthhub.hospital.service_chat import post_system
from healthhub.hospital.service_dispatch import pool_facts, waiting_for
from healthhub.hospital.service_doctors import active_work_session, doctor_row_by_user
from healthhub.hospital.triage import suggest_department
from healthhub.hospital.views import doctor_facts
from healthhub.patients import service as patients

ACTIVE = ("waiting", "in_progress")
CLOSED = ("completed", "terminated", "cancelled")
DEFAULT_REASSIGN_TIMEOUT = timedelta(minutes=15)
REASSIGNED_TEXT = "接诊医生未在规定时间内回复，已为您转派其他医生，请稍候。"
ESCALATED_TEXT = "您的问诊等待时间较长，已为您转派其他医生（本专科中心的在线医生均可接诊），请稍候。"


@dataclass(frozen=True)
class ConsultationRequest:
    patient_id: int
    department_id: int
    complaint: str
    record_id: int | None


def _event(session: Session, consultation: Consultation, kind: str, actor_user_id: int | None, **detail) -> None:
    session.add(ConsultationEvent(consultation_id=consultation.id, kind=kind, actor_user_id=actor_user_id,
                                  occurred_at=utcnow(), detail=detail))


def request_consultation(session: Session, *, account_user_id: int, data: ConsultationRequest) -> Consultation:
    patient = patients.owned_patient(session, account_user_id=account_user_id, patient_id=data.patient_id)
    if not patient.consent_given:
        raise RuleViolation("请先阅读并单独同意《健康数据处理告知书》后再问诊 / give separate consent to health data "
                            "processing first (DP-02)", code=ErrorCode.CONSENT_REQUIRED)
    department = session.get(Department, data.department_id)
    if department is None:
        raise NotFound("科室不存在 / department not found", code=ErrorCode.DEPARTMENT_NOT_FOUND)
    record = patients.find_record(session, record_id=data.record_id) if data.record_id else None
    now = utcnow()
    basis = rules.check_follow_up(rules.FollowUpFacts(
        record_patient_id=record.patient_id if record else None, record_sealed=bool(record and record.sealed),
        record_visit_date=record.visit_date if record else None,
        record_diagnosis_code=record.diagnosis_code if record else None, patient_id=patient.id,
        first_visit_allowed=department.first_visit_allowed,
        family_contract=record is None and patients.has_family_contract(session, patient_id=patient.id, now=now)),
        local_today())
    complaint = data.complaint.strip()
    if not 5 <= len(complaint) <= 2000:
        raise RuleViolation("请用5–2000字描述本次复诊的情况 / describe the follow-up in 5–2000 characters",
                            code=ErrorCode.BAD_COMPLAINT)
    if session.execute(select(Consultation.id).where(Consultation.patient_id == patient.id,
                                                     Consultation.status.in_(ACTIVE))).first():
        raise Conflict("该就诊人已有进行中的问诊 / this patient already has an open consultation",
                       code=ErrorCode.CONSULTATION_OPEN)
    consultation = Consultation(
        patient_id=patient.id, account_user_id=account_user_id, department_id=department.id,
        record_id=record.id if record else None, follow_up_basis=basis, status="waiting", complaint=complaint,
        queued_at=now, triage_suggestion=[{"department": d, "score": s} for d, s in suggest_department(complaint)[:3]])
    session.add(consultation)
    session.flush()
    _event(session, consultation, "queued", account_user_id, department_id=department.id)
    audit.record(session, action="hospital.consultation.request", entity_type="consultation",
                 entity_id=consultation.id, detail={"patient_id": patient.id, "department_id": department.id,
                                                    "record_id": consultation.record_id, "basis": basis})
    # The family-doctor domain consumes an included consultation here, in this same transaction.
    events.publish(session, ConsultationRequested(
        consultation_id=consultation.id, patient_id=patient.id, account_user_id=account_user_id,
        department_id=department.id, follow_up_basis=basis))
    return consultation


def owned_consultation(session: Session, *, account_user_id: int, consultation_id: int) -> Consultation:
    consultation = consultation_row(session, consultation_id=consultation_id)
    if consultation.account_user_id != account_user_id:
        raise NotFound("问诊不存在 / consultation not found", code=ErrorCode.CONSULTATION_NOT_FOUND)
    return consultation


def cancel(session: Session, *, account_user_id: int, consultation_id: int) -> Consultation:
    consultation = owned_consultation(session, account_user_id=account_user_id, consultation_id=consultation_id)
    if consultation.status != "waiting":
        raise Conflict("医生已接诊，不能取消 / a doctor already accepted", code=ErrorCode.CANNOT_CANCEL)
    _close(session, consultation, "cancelled", account_user_id)
    return consultation


def _check_doctor_can_work(session: Session, doctor: Doctor, consultation: Consultation) -> int:
    work = active_work_session(session, doctor_id=doctor.id, now=utcnow())
    department = session.get(Department, consultation.department_id)
    rules.check_can_work(rules.AcceptFacts(
        eligibility=rules.doctor_eligibility(doctor_facts(doctor), local_today()), online=doctor.online,
        work_session_valid=work is not None, pool=pool_facts(session, doctor=doctor, consultation=consultation, department=department)))
    return work.id


def queue_for_doctor(session: Session, *, doctor_user_id: int, limit: int = 50) -> list[Consultation]:
    """Waiting requests offered to the doctor (service_dispatch), escalated ones first."""
    return waiting_for(session, doctor=doctor_row_by_user(session, user_id=doctor_user_id), limit=limit)


def doctor_consultations(session: Session, *, doctor_user_id: int, active: bool = True,
                         limit: int = 50) -> list[Consultation]:
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    statuses = ("in_progress",) if active else CLOSED
    return list(session.execute(select(Consultation).where(
        Consultation.doctor_id == doctor.id, Consultation.status.in_(statuses), Consultation.sealed_at.is_(None),
    ).order_by(Consultation.queued_at.desc()).limit(limit)).scalars())


def accept(session: Session, *, doctor_user_id: int, consultation_id: int) -> Consultation:
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    consultation = consultation_row(session, consultation_id=consultation_id)
    work_id = _check_doctor_can_work(session, doctor, consultation)
    now = utcnow()
    # Conditional update: of two doctors accepting at once, exactly one wins.
    won = session.execute(update(Consultation).where(Consultation.id == consultation.id,
                                                     Consultation.status == "waiting")
                          .values(status="in_progress", doctor_id=doctor.id, work_session_id=work_id,
                                  accepted_at=now, updated_at=now)).rowcount
    if not won:
        raise Conflict("该问诊已被接诊或已结束 / already accepted by another doctor or closed",
                       code=ErrorCode.ALREADY_ACCEPTED)
    session.refresh(consultation)
    _event(session, consultation, "accepted", doctor_user_id, doctor_id=doctor.id, work_session_id=work_id)
    audit.record(session, action="hospital.consultation.accept", entity_type="consultation",
                 entity_id=consultation.id, detail={"doctor_id": doctor.id, "work_session_id": work_id})
    return consultation


def treating(session: Session, *, doctor_user_id: int, consultation_id: int) -> Consultation:
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    consultation = consultation_row(session, consultation_id=consultation_id)
    if consultation.doctor_id != doctor.id:
        raise Forbidden("您不是该问诊的接诊医生 / you are not this consultation's doctor", code=ErrorCode.NOT_TREATING_DOCTOR)
    if consultation.status != "in_progress":
        raise Conflict("问诊不在进行中 / the consultation is not in progress", code=ErrorCode.CONSULTATION_NOT_IN_PROGRESS)
    return consultation


def diagnose(session: Session, *, doctor_user_id: int, consultation_id: int, diagnoses: list[dict],
             advice: str, emergency: bool = False) -> Consultation:
    consultation = treating(session, doctor_user_id=doctor_user_id, consultation_id=consultation_id)
    if not diagnoses:
        raise RuleViolation("请至少填写一个诊断 / at least one diagnosis is required", code=ErrorCode.DIAGNOSIS_REQUIRED)
    cleaned = []
    for item in diagnoses:
        name = str(item.get("name", "")).strip()
        if not name:
            raise RuleViolation("诊断须有名称 / each diagnosis needs a name", code=ErrorCode.BAD_DIAGNOSIS)
        cleaned.append({"code": normalize_icd10(str(item.get("code", ""))), "name": name[:100]})
    consultation.diagnoses, consultation.advice, consultation.emergency = cleaned, advice.strip()[:2000], emergency
    session.flush()
    audit.record(session, action="hospital.consultation.diagnose", entity_type="consultation",
                 entity_id=consultation.id, detail={"diagnoses": [c["code"] for c in cleaned], "emergency": emergency})
    return consultation


def _close(session: Session, consultation: Consultation, status: str, actor_user_id: int, **detail) -> None:
    consultation.status, consultation.ended_at = status, utcnow()
    _event(session, consultation, status, actor_user_id, **detail)
    session.flush()
    audit.record(session, action=f"hospital.consultation.{status}", entity_type="consultation",
                 entity_id=consultation.id, detail=detail)
    events.publish(session, ConsultationClosed(
        consultation_id=consultation.id, patient_id=consultation.patient_id,
        account_user_id=consultation.account_user_id, doctor_id=consultation.doctor_id, status=status))


def end(session: Session, *, doctor_user_id: int, consultation_id: int) -> Consultation:
    consultation = treating(session, doctor_user_id=doctor_user_id, consultation_id=consultation_id)
    if not consultation.diagnoses:
        raise RuleViolation("结束问诊前请填写诊断（ICD-10）和医嘱 / record the diagnosis before ending",
                            code=ErrorCode.DIAGNOSIS_REQUIRED)
    _close(session, consultation, "completed", doctor_user_id)
    return consultation


def terminate(session: Session, *, doctor_user_id: int, consultation_id: int, reason: str,
              note: str = "") -> Consultation:
    """IDT-03: stop at once and refer the patient to an offline visit, with a reason code."""
    consultation = treating(session, doctor_user_id=doctor_user_id, consultation_id=consultation_id)
    consultation.termination_reason = rules.check_termination_reason(reason)
    consultation.termination_note = note.strip()[:500] or None
    _close(session, consultation, "terminated", doctor_user_id, reason=reason, note=consultation.termination_note)
    return consultation


def confirm_guardian_present(session: Session, *, account_user_id: int, consultation_id: int) -> Consultation:
    """IDT-10: the guardian (the account holder) confirms being with the child."""
    consultation = owned_consultation(session, account_user_id=account_user_id, consultation_id=consultation_id)
    if consultation.status not in ACTIVE:
        raise Conflict("问诊已结束 / the consultation is closed", code=ErrorCode.CONSULTATION_CLOSED)
    consultation.guardian_present_by_user_id, consultation.guardian_present_at = account_user_id, utcnow()
    session.flush()
    audit.record(session, action="hospital.consultation.guardian_present", entity_type="consultation",
                 entity_id=consultation.id, detail={})
    return consultation


def confirm_doctor_present(session: Session, *, doctor_user_id: int, consultation_id: int) -> Consultation:
    consultation = treating(session, doctor_user_id=doctor_user_id, consultation_id=consultation_id)
    consultation.doctor_present_at = utcnow()
    session.flush()
    audit.record(session, action="hospital.consultation.doctor_present", entity_type="consultation",
                 entity_id=consultation.id, detail={})
    return consultation


def _return_to_queue(session: Session, consultation: Consultation, now: datetime, timeout: timedelta) -> None:
    """Accepted, never answered: back to the queue, and that doctor may not take it again."""
    previous = consultation.doctor_id
    session.add(ConsultationExclusion(consultation_id=consultation.id, doctor_id=previous, excluded_at=now))
    consultation.status, consultation.doctor_id, consultation.work_session_id = "waiting", None, None
    # IDT-10 asks for the treating doctor's presence: the next doctor confirms their own.
    consultation.accepted_at, consultation.doctor_present_at = None, None
    consultation.requeued_at = now
    consultation.reassign_count += 1
    _event(session, consultation, "reassigned", None, previous_doctor_id=previous,
           timeout_minutes=int(timeout.total_seconds() // 60))
    audit.record(session, action="hospital.consultation.reassign", entity_type="consultation",
                 entity_id=consultation.id, detail={"previous_doctor_id": previous, "excluded": True})
    post_system(session, consultation=consultation, text=REASSIGNED_TEXT, now=now)


def _escalate(session: Session, consultation: Consultation, now: datetime, timeout: timedelta) -> None:
    """Nobody of the department took it in time: the whole specialty centre sees it, first in line."""
    consultation.escalated_at = now
    consultation.reassign_count += 1
    centre_id = session.get(Department, consultation.department_id).centre_id
    _event(session, consultation, "escalated", None, centre_id=centre_id,
           timeout_minutes=int(timeout.total_seconds() // 60))
    audit.record(session, action="hospital.consultation.escalate", entity_type="consultation",
                 entity_id=consultation.id, detail={"centre_id": centre_id})
    post_system(session, consultation=consultation, text=ESCALATED_TEXT, now=now)


def reassign_stale(session: Session, *, now: datetime, timeout: timedelta = DEFAULT_REASSIGN_TIMEOUT) -> list[int]:
    """The periodic sweep (hospital/jobs.py, every minute): accepted requests the doctor never answered
    go back to the queue without that doctor; requests waiting unaccepted past the timeout are
    escalated to the whole centre. Each move is recorded (event, audit, a system chat message).
    Returns the ids of the consultations it moved."""
    cutoff = now - timeout
    candidates = session.execute(select(Consultation).where(Consultation.sealed_at.is_(None), or_(
        and_(Consultation.status == "in_progress", Consultation.first_reply_at.is_(None),
             Consultation.accepted_at <= cutoff),
        and_(Consultation.status == "waiting", Consultation.escalated_at.is_(None),
             func.coalesce(Consultation.requeued_at, Consultation.queued_at) <= cutoff)))
        .order_by(Consultation.id).with_for_update()).scalars().all()
    moved = []
    for consultation in candidates:
        action = rules.stale_action(rules.WaitFacts(
            status=consultation.status, accepted_at=consultation.accepted_at,
            first_reply_at=consultation.first_reply_at,
            waiting_since=consultation.requeued_at or consultation.queued_at,
            escalated=consultation.escalated_at is not None), now, timeout)
        if action == "return":
            _return_to_queue(session, consultation, now, timeout)
        elif action == "escalate":
            _escalate(session, consultation, now, timeout)
        else:
            continue
        moved.append(consultation.id)
    session.flush()
    return moved


def events_of(session: Session, *, consultation_id: int) -> list[ConsultationEvent]:
    return list(session.execute(select(ConsultationEvent).where(ConsultationEvent.consultation_id == consultation_id)
                                .order_by(ConsultationEvent.id)).scalars())
