"""Consultation chat: persisted text and image messages, readable and writable only by the two
participants (the patient's account holder and the treating doctor)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.dates import add_years, local_today
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, NotFound, RuleViolation
from healthhub.core.images import sniff_image
from healthhub.core.public_ids import PublicId, encode
from healthhub.hospital import rules
from healthhub.hospital.errors import ErrorCode
from healthhub.hospital.models import ChatMessage, Consultation, Doctor
from healthhub.hospital.service import consultation_row

MAX_TEXT = 2000


@dataclass(frozen=True)
class MessageView:
    id: PublicId
    consultation_id: PublicId
    sender_role: str
    kind: str
    text: str
    image_url: str | None
    created_at: datetime


def message_view(message: ChatMessage) -> MessageView:
    url = f"/api/v1/hospital/messages/{encode(message.id)}/image" if message.kind == "image" else None
    return MessageView(id=message.id, consultation_id=message.consultation_id, sender_role=message.sender_role,
                       kind=message.kind, text=message.text, image_url=url, created_at=message.created_at)


def participant_role(session: Session, *, consultation: Consultation, user_id: int) -> str:
    """'patient' or 'doctor'; anybody else (another doctor, an operator) is told the consultation does not
    exist, exactly as for a missing one, so that ids cannot be probed."""
    if consultation.account_user_id == user_id:
        return "patient"
    if consultation.doctor_id is not None:
        doctor = session.get(Doctor, consultation.doctor_id)
        if doctor is not None and doctor.user_id == user_id:
            return "doctor"
    raise NotFound("问诊不存在 / consultation not found", code=ErrorCode.CONSULTATION_NOT_FOUND)


def _post(session: Session, *, consultation_id: int, user_id: int, kind: str, text: str = "",
          image: bytes | None = None) -> ChatMessage:
    consultation = consultation_row(session, consultation_id=consultation_id)
    role = participant_role(session, consultation=consultation, user_id=user_id)
    allowed = ("waiting", "in_progress") if role == "patient" else ("in_progress",)
    if consultation.status not in allowed:
        raise Conflict("问诊已结束或尚未接诊，不能发送消息 / the chat is closed", code=ErrorCode.CHAT_CLOSED)
    mime = sniff_image(image) if kind == "image" else None
    now = utcnow()
    message = ChatMessage(consultation_id=consultation.id, sender_user_id=user_id, sender_role=role, kind=kind,
                          text=text, image_data=image, image_mime=mime, created_at=now,
                          retain_until=add_years(local_today(now), rules.CHAT_RECORD_YEARS))
    session.add(message)
    if role == "doctor" and consultation.first_reply_at is None:
        consultation.first_reply_at = now
    session.flush()
    return message


def post_system(session: Session, *, consultation: Consultation, text: str, now: datetime) -> ChatMessage:
    """A notice from the platform itself (e.g. a re-assignment), kept like any other chat message."""
    message = ChatMessage(consultation_id=consultation.id, sender_user_id=None, sender_role="system", kind="text",
                          text=text, created_at=now,
                          retain_until=add_years(local_today(now), rules.CHAT_RECORD_YEARS))
    session.add(message)
    return message


def post_text(session: Session, *, consultation_id: int, user_id: int, text: str) -> ChatMessage:
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise RuleViolation(f"消息须为1–{MAX_TEXT}字 / a message has 1–{MAX_TEXT} characters", code=ErrorCode.BAD_MESSAGE)
    return _post(session, consultation_id=consultation_id, user_id=user_id, kind="text", text=text)


def post_image(session: Session, *, consultation_id: int, user_id: int, image: bytes) -> ChatMessage:
    return _post(session, consultation_id=consultation_id, user_id=user_id, kind="image", image=image)


def messages_after(session: Session, *, consultation_id: int, user_id: int, after_id: int = 0,
                   limit: int = 200) -> list[ChatMessage]:
    consultation = consultation_row(session, consultation_id=consultation_id)
    participant_role(session, consultation=consultation, user_id=user_id)
    return list(session.execute(select(ChatMessage).where(
        ChatMessage.consultation_id == consultation.id, ChatMessage.id > after_id, ChatMessage.sealed_at.is_(None),
    ).order_by(ChatMessage.id).limit(limit)).scalars())


def image_of(session: Session, *, message_id: int, user_id: int) -> tuple[bytes, str]:
    message = session.get(ChatMessage, message_id)
    if message is None or message.sealed_at is not None or message.kind != "image":
        raise NotFound("图片不存在 / image not found", code=ErrorCode.IMAGE_NOT_FOUND)
    participant_role(session, consultation=consultation_row(session, consultation_id=message.consultation_id), user_id=user_id)
    return message.image_data, message.image_mime
