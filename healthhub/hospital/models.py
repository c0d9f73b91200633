"""Internet-hospital tables. Medical rows are never deleted (IDT-11): a deletion request seals
them (DP-03, `sealed_at`), and `core/retention.py` refuses ORM deletes of any `Retained` row. Patients and
their earlier records belong to the patients domain (`patient_id`, `record_id` point at its tables)."""
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.db import Base, TimestampMixin
from healthhub.core.retention import Retained


class Centre(Base):
    __tablename__ = "hospital_centres"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Department(Base):
    __tablename__ = "hospital_departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("hospital_centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    # IDT-14: the first-visit ban is a per-department flag so a pilot can lift it without code changes.
    first_visit_allowed: Mapped[bool] = mapped_column(Boolean, default=False)


class Doctor(TimestampMixin, Base):
    __tablename__ = "hospital_doctors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(16))
    licence_no: Mapped[str] = mapped_column(String(32), unique=True)
    institution: Mapped[str] = mapped_column(String(64))
    affiliation: Mapped[str] = mapped_column(String(16))  # own | partner
    practice_started_on: Mapped[date] = mapped_column(Date)
    institution_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    multi_site_filed: Mapped[bool] = mapped_column(Boolean, default=False)
    centre_id: Mapped[int] = mapped_column(ForeignKey("hospital_centres.id"), index=True)
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    introduction: Mapped[str] = mapped_column(Text, default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    reauth_failures: Mapped[int] = mapped_column(default=0)


class DoctorDepartment(Base):
    __tablename__ = "hospital_doctor_departments"

    doctor_id: Mapped[int] = mapped_column(ForeignKey("hospital_doctors.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("hospital_departments.id"), primary_key=True)


class DoctorSchedule(Base):
    """A weekly slot (0 = Monday) in which the doctor plans to be online."""

    __tablename__ = "hospital_doctor_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("hospital_doctors.id"), index=True)
    weekday: Mapped[int]
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)


class WorkSession(Base):
    """IDT-05: a period of online work opened by a real-name re-authentication."""

    __tablename__ = "hospital_work_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("hospital_doctors.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # password | pin
    authenticated_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    client_ip: Mapped[str | None] = mapped_column(String(64))


class Consultation(Retained, TimestampMixin, Base):
    __tablename__ = "hospital_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer, index=True)  # a patients-domain id (no cross-domain key)
    account_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("hospital_departments.id"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("hospital_doctors.id"), index=True)
    work_session_id: Mapped[int | None] = mapped_column(ForeignKey("hospital_work_sessions.id"))
    record_id: Mapped[int | None] = mapped_column(Integer)  # a patients-domain record id
    # rules.FOLLOW_UP_BASES: why IDT-01 admitted it (None on rows from before the basis was kept).
    follow_up_basis: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    complaint: Mapped[str] = mapped_column(Text)
    triage_suggestion: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    queued_at: Mapped[datetime]
    # Set when a doctor let it lapse and it went back to the queue: the waiting clock restarts there,
    # while queued_at stays the patient's request time (metrics, queue order).
    requeued_at: Mapped[datetime | None]
    # Waited past the timeout unaccepted: offered to the whole specialty centre and shown first in queues.
    escalated_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    first_reply_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    diagnoses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"code", "name"}]
    advice: Mapped[str] = mapped_column(Text, default="")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    termination_reason: Mapped[str | None] = mapped_column(String(32))
    termination_note: Mapped[str | None] = mapped_column(String(500))
    reassign_count: Mapped[int] = mapped_column(default=0)
    # IDT-10: both must be recorded before a doctor may prescribe for a child under 6.
    guardian_present_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    guardian_present_at: Mapped[datetime | None]
    doctor_present_at: Mapped[datetime | None]
    sealed_at: Mapped[datetime | None]


class ConsultationEvent(Base):
    """The consultation's history: queued, accepted, reassigned, ended, terminated."""

    __tablename__ = "hospital_consultation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("hospital_consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConsultationExclusion(Base):
    """A doctor who accepted a request and never answered it in time may not take it again."""

    __tablename__ = "hospital_consultation_exclusions"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("hospital_consultations.id"), primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("hospital_doctors.id"), primary_key=True)
    excluded_at: Mapped[datetime]


class ChatMessage(Retained, Base):
    __tablename__ = "hospital_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("hospital_consultations.id"), index=True)
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sender_role: Mapped[str] = mapped_column(String(16))  # patient | doctor | system (no sender_user_id)
    kind: Mapped[str] = mapped_column(String(8))  # text | image
    text: Mapped[str] = mapped_column(Text, default="")
    image_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_mime: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    retain_until: Mapped[date] = mapped_column(Date)
    sealed_at: Mapped[datetime | None]
