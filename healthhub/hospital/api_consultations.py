"""Hospital API, part 2: consultations, the doctor's queue, chat (POST + SSE stream), metrics."""
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from healthhub.core.dates import local_today
from healthhub.core.db import DbSession
from healthhub.core.errors import NotFound
from healthhub.core.images import decode_image
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.public_ids import as_json, decode, encode
from healthhub.hospital import policies, rules, service, service_chat
from healthhub.hospital import service_consultations as consultations
from healthhub.hospital.chat import stream_events
from healthhub.hospital.errors import ErrorCode
from healthhub.hospital.models import Consultation
from healthhub.hospital.schemas import ConsultationIn, DiagnosisIn, MessageIn, TerminateIn
from healthhub.hospital.service_dispatch import is_offered
from healthhub.hospital.service_doctors import doctor_row_by_user
from healthhub.hospital.service_metrics import consultation_metrics
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.patients import service as patients

router = APIRouter()
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
DoctorUser = Annotated[Principal, Depends(require_roles(Role.DOCTOR))]
Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]


def consultation_out(db: Session, consultation: Consultation) -> dict:
    """The consultation with what either participant needs on screen (patient facts, attached record)."""
    view = service.view_of(db, consultation=consultation)
    patient = patients.get_patient(db, patient_id=consultation.patient_id)
    record = patients.find_record(db, record_id=consultation.record_id) if consultation.record_id else None
    doctor = service.get_doctor(db, doctor_id=consultation.doctor_id) if consultation.doctor_id else None
    return {**as_json(view), "triage_suggestion": consultation.triage_suggestion,
            "patient": {"name": patient.name, "sex": patient.sex, "age_text": patient.age_text,
                        "under6": patient.under6, "allergies": patient.allergies,
                        "conditions": patient.condition_names, "weight_kg": patient.weight_kg,
                        "pregnant": patient.pregnant, "lactating": patient.lactating},
            "record": {"id": encode(record.id), "type": record.record_type, "institution": record.institution,
                       "date": record.visit_date, "icd10": record.diagnosis_code, "diagnosis": record.diagnosis_text,
                       "has_image": record.has_image} if record else None,
            "doctor": {"name": doctor.name, "title": doctor.title} if doctor else None,
            "follow_up_basis": consultation.follow_up_basis,
            "follow_up_basis_label": rules.FOLLOW_UP_BASES.get(consultation.follow_up_basis or "", ""),
            "escalated": consultation.escalated_at is not None, "reassign_count": consultation.reassign_count,
            "guardian_present": consultation.guardian_present_at is not None,
            "doctor_present": consultation.doctor_present_at is not None}


def _visible(db: Session, consultation_id: int, user: Principal) -> Consultation:
    """The patient's account, the treating doctor, or a doctor it is offered to while it waits in the queue."""
    consultation = service.consultation_row(db, consultation_id=consultation_id)
    doctor = doctor_row_by_user(db, user_id=user.id) if policies.is_doctor(user) else None
    offered = doctor is not None and is_offered(db, doctor=doctor, consultation=consultation)
    if policies.can_see_consultation(user, consultation, doctor=doctor, offered=offered):
        return consultation
    raise NotFound("问诊不存在 / consultation not found", code=ErrorCode.CONSULTATION_NOT_FOUND)


@router.post("/consultations", status_code=201, summary="Request a follow-up consultation (IDT-01/02)")
def request_consultation(body: ConsultationIn, db: DbSession, user: Patient) -> dict:
    consultation = consultations.request_consultation(db, account_user_id=user.id, data=consultations.ConsultationRequest(
        patient_id=body.patient_id, department_id=body.department_id, complaint=body.complaint,
        record_id=body.record_id))
    return consultation_out(db, consultation)


@router.get("/consultations", summary="The calling patient account's consultations, newest first")
def my_consultations(db: DbSession, user: Patient, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict]:
    rows = [c for p in patients.list_patients_of_account(db, account_user_id=user.id)
            for c in service.list_consultations_of_patient(db, patient_id=p.id)]
    rows.sort(key=lambda c: c.queued_at, reverse=True)
    return [as_json(c) for c in rows[:limit]]


@router.get("/consultations/{consultation_id}")
def get_consultation(consultation_id: ResourceId, db: DbSession, user: CurrentUser) -> dict:
    return consultation_out(db, _visible(db, consultation_id, user))


@router.post("/consultations/{consultation_id}/cancel", summary="Patient withdraws a request still in the queue")
def cancel(consultation_id: ResourceId, db: DbSession, user: Patient) -> dict:
    return consultation_out(db, consultations.cancel(db, account_user_id=user.id, consultation_id=consultation_id))


@router.post("/consultations/{consultation_id}/guardian-present", summary="IDT-10: guardian confirms presence")
def guardian_present(consultation_id: ResourceId, db: DbSession, user: Patient) -> dict:
    return consultation_out(db, consultations.confirm_guardian_present(db, account_user_id=user.id,
                                                                       consultation_id=consultation_id))


@router.get("/doctor/queue", summary="Waiting requests offered to the doctor: escalated first, then oldest first")
def queue(db: DbSession, user: DoctorUser, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[dict]:
    return [consultation_out(db, c) for c in consultations.queue_for_doctor(db, doctor_user_id=user.id, limit=limit)]


@router.get("/doctor/consultations", summary="The doctor's consultations (active, or closed ones)")
def doctor_consultations(db: DbSession, user: DoctorUser, active: bool = True,
                         limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[dict]:
    return [consultation_out(db, c) for c in consultations.doctor_consultations(
        db, doctor_user_id=user.id, active=active, limit=limit)]


@router.post("/consultations/{consultation_id}/accept", summary="Doctor accepts (eligible, online, re-authenticated)")
def accept(consultation_id: ResourceId, db: DbSession, user: DoctorUser) -> dict:
    return consultation_out(db, consultations.accept(db, doctor_user_id=user.id, consultation_id=consultation_id))


@router.post("/consultations/{consultation_id}/diagnosis", summary="Diagnosis (ICD-10) and advice")
def diagnose(consultation_id: ResourceId, body: DiagnosisIn, db: DbSession, user: DoctorUser) -> dict:
    return consultation_out(db, consultations.diagnose(
        db, doctor_user_id=user.id, consultation_id=consultation_id,
        diagnoses=[d.model_dump() for d in body.diagnoses], advice=body.advice, emergency=body.emergency))


@router.post("/consultations/{consultation_id}/doctor-present", summary="IDT-10: doctor confirms presence")
def doctor_present(consultation_id: ResourceId, db: DbSession, user: DoctorUser) -> dict:
    return consultation_out(db, consultations.confirm_doctor_present(db, doctor_user_id=user.id,
                                                                     consultation_id=consultation_id))


@router.post("/consultations/{consultation_id}/end", summary="Finish the consultation")
def end(consultation_id: ResourceId, db: DbSession, user: DoctorUser) -> dict:
    return consultation_out(db, consultations.end(db, doctor_user_id=user.id, consultation_id=consultation_id))


@router.post("/consultations/{consultation_id}/terminate", summary="Stop and refer offline with a reason (IDT-03)")
def terminate(consultation_id: ResourceId, body: TerminateIn, db: DbSession, user: DoctorUser) -> dict:
    return consultation_out(db, consultations.terminate(db, doctor_user_id=user.id, consultation_id=consultation_id,
                                                        reason=body.reason, note=body.note))


@router.get("/consultations/{consultation_id}/messages", summary="Chat messages after an id (participants only)")
def messages(consultation_id: ResourceId, db: DbSession, user: CurrentUser, after: QueryId | None = None) -> list[dict]:
    return [as_json(service_chat.message_view(m)) for m in service_chat.messages_after(
        db, consultation_id=consultation_id, user_id=user.id, after_id=after or 0)]


@router.post("/consultations/{consultation_id}/messages", status_code=201, summary="Send a text or an image")
def post_message(consultation_id: ResourceId, body: MessageIn, db: DbSession, user: CurrentUser) -> dict:
    if body.image_base64 is not None:
        message = service_chat.post_image(db, consultation_id=consultation_id, user_id=user.id,
                                          image=decode_image(body.image_base64))
    else:
        message = service_chat.post_text(db, consultation_id=consultation_id, user_id=user.id, text=body.text or "")
    return as_json(service_chat.message_view(message))


@router.get("/consultations/{consultation_id}/stream", summary="Server-Sent Events: new messages and status")
def stream(consultation_id: ResourceId, request: Request, db: DbSession, user: CurrentUser,
           last_event_id: Annotated[str | None, Header()] = None,
           after: QueryId | None = None) -> StreamingResponse:
    service_chat.participant_role(db, consultation=service.consultation_row(db, consultation_id=consultation_id), user_id=user.id)
    # Last-Event-ID is the public id of the last message the browser got (chat.py); a stale one restarts.
    start = (decode(last_event_id) if last_event_id else None) or after or 0
    return StreamingResponse(stream_events(request, consultation_id=consultation_id, user_id=user.id,
                                           after_id=start), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/messages/{message_id}/image", summary="An image sent in chat (participants only)")
def message_image(message_id: ResourceId, db: DbSession, user: CurrentUser) -> Response:
    data, mime = service_chat.image_of(db, message_id=message_id, user_id=user.id)
    return Response(data, media_type=mime, headers={"X-Content-Type-Options": "nosniff",
                                                    "Cache-Control": "private, max-age=3600"})


@router.get("/stats", summary="Operators: first-reply time, duration, consultations per day")
def stats(db: DbSession, _user: Operator, day_from: date | None = None, day_to: date | None = None) -> dict:
    day_to = day_to or local_today()
    day_from = day_from or day_to - timedelta(days=29)
    return {"day_from": day_from, "day_to": day_to,
            **as_json(consultation_metrics(db, day_from=day_from, day_to=day_to))}
