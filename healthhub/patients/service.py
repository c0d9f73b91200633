"""The patient registry's public service API, the entry point for other domains (hospital, family doctor,
prescriptions, FHIR): patients under one account, real-name profiles (IDT-06), guardians for minors, health
facts (allergies, chronic conditions, pregnancy), DP-02 separate consent, earlier diagnoses from physical
visits (IDT-02), the deletion request (DP-03) and the family-doctor contract cover (IDT-01).

Every function takes the caller's Session, flushes at most, never commits, and returns frozen views
(`views.py`). `get_patient` includes a sealed patient (`sealed=True`, must not be shown); every other read
leaves sealed rows out, and a patient of another account reads as missing, so ids leak nothing.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from healthhub.core import audit, events
from healthhub.core.crypto import field_cipher
from healthhub.core.dates import add_years, local_today
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, NotFound, RuleViolation
from healthhub.core.identity_numbers import InvalidIdentityNumber, parse_resident_id
from healthhub.core.icd10 import normalize_icd10
from healthhub.core.images import sniff_image
from healthhub.identity import service as identity
from healthhub.patients import rules
from healthhub.patients.errors import ErrorCode
from healthhub.patients.events import PatientSealed
from healthhub.patients.models import Consent, MedicalRecord, Patient
from healthhub.patients.schemas import RECORD_TYPES, RELATIONSHIPS
from healthhub.patients.views import (ConsentView, GuardianView, MedicalRecordView, PatientView, SealedPatientView,
                                      consent_view, patient_view, record_view)

CONSENT_NOTICE_VERSION = "2026-11"

__all__ = ["CONSENT_NOTICE_VERSION", "ConsentView", "GuardianView", "HealthFacts", "MedicalRecordView", "NewPatient",
           "NewRecord", "PatientView", "SealedPatientView", "add_patient", "add_record", "find_record",
           "get_patient", "grant_consent", "has_consent", "has_family_contract", "list_patients_of_account",
           "list_records", "owned_patient", "record_family_contract", "seal_patient", "sealed_patient",
           "update_health", "withdraw_consent"]


@dataclass(frozen=True)
class HealthFacts:
    weight_kg: float | None = None
    pregnant: bool = False
    lactating: bool = False
    allergies: list[str] = field(default_factory=list)
    conditions: list[dict] = field(default_factory=list)  # [{"code": ICD-10, "name": text}]


@dataclass(frozen=True)
class NewPatient:
    relationship: str
    name: str
    id_number: str
    guardian_relationship: str | None = None
    health: HealthFacts = field(default_factory=HealthFacts)


@dataclass(frozen=True)
class NewRecord:
    record_type: str
    institution: str
    visit_date: date
    diagnosis_code: str
    diagnosis_text: str
    image: bytes | None = None


def _patient_row(session: Session, patient_id: int, *, include_sealed: bool = False) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or (patient.sealed_at is not None and not include_sealed):
        raise NotFound("就诊人不存在 / patient not found", code=ErrorCode.PATIENT_NOT_FOUND)
    return patient


def _owned_row(session: Session, account_user_id: int, patient_id: int) -> Patient:
    """The account's own (unsealed) profile; someone else's reads as missing."""
    patient = _patient_row(session, patient_id)
    if patient.account_user_id != account_user_id:
        raise NotFound("就诊人不存在 / patient not found", code=ErrorCode.PATIENT_NOT_FOUND)
    return patient


def _rows_of_account(session: Session, account_user_id: int) -> list[Patient]:
    return list(session.execute(select(Patient).where(
        Patient.account_user_id == account_user_id, Patient.sealed_at.is_(None),
    ).order_by(case((Patient.relationship == "本人", 0), else_=1), Patient.id)).scalars())


def _holder_name(session: Session, account_user_id: int) -> str:
    holder = session.execute(select(Patient.name).where(Patient.account_user_id == account_user_id,
                                                        Patient.relationship == "本人")).scalar_one_or_none()
    return holder or identity.get_user(session, user_id=account_user_id).display_name


def _view_of(session: Session, patient: Patient) -> PatientView:
    today = local_today()
    minor = rules.is_under(patient.birth_date, rules.ADULT_AGE, today)
    return patient_view(patient, consent_given=has_consent(session, patient_id=patient.id),
                        guardian_name=_holder_name(session, patient.account_user_id) if minor else None, today=today)


def get_patient(session: Session, *, patient_id: int) -> PatientView:
    """Any patient, sealed or not; NotFound when the id does not exist. `age_years` is fractional (an infant
    of 3 months is 0.25); `age_text` reads "3个月" / "2岁1个月" / "45岁" (RX-04); `under6` is calendar-exact;
    `conditions` are ICD-10 codes (`condition_names` alongside); `guardian` is set for minors (the account
    holder and how they are related); `consent_given` is the current DP-02 separate consent."""
    return _view_of(session, _patient_row(session, patient_id, include_sealed=True))


def owned_patient(session: Session, *, account_user_id: int, patient_id: int) -> PatientView:
    return _view_of(session, _owned_row(session, account_user_id, patient_id))


def list_patients_of_account(session: Session, *, account_user_id: int) -> list[PatientView]:
    """The account holder and family members, sealed ones left out, 本人 first."""
    return [_view_of(session, p) for p in _rows_of_account(session, account_user_id)]


def has_consent(session: Session, *, patient_id: int) -> bool:
    return session.execute(select(Consent.id).where(Consent.patient_id == patient_id,
                                                    Consent.withdrawn_at.is_(None)).limit(1)).first() is not None


def _clean_health(facts: HealthFacts, sex: str) -> dict:
    if facts.weight_kg is not None and not 0.3 <= facts.weight_kg <= 400:
        raise RuleViolation("体重应在 0.3–400 kg 之间 / weight must be 0.3–400 kg", code=ErrorCode.BAD_WEIGHT)
    if sex == "M" and (facts.pregnant or facts.lactating):
        message = "男性不能标记妊娠或哺乳 / pregnancy or lactation on a male profile"
        raise RuleViolation(message, code=ErrorCode.BAD_PREGNANCY, errors=[
            {"field": name, "message": message, "type": "value_error"}
            for name, flagged in (("pregnant", facts.pregnant), ("lactating", facts.lactating)) if flagged])
    conditions = []
    for item in facts.conditions:
        name = str(item.get("name", "")).strip()
        if not name:
            raise RuleViolation("慢性病须填写名称 / a chronic condition needs a name", code=ErrorCode.BAD_CONDITION)
        conditions.append({"code": normalize_icd10(str(item.get("code", ""))), "name": name[:100]})
    allergies = sorted({a.strip()[:50] for a in facts.allergies if a.strip()})
    return {"weight_kg": facts.weight_kg, "pregnant": facts.pregnant, "lactating": facts.lactating,
            "allergies": allergies, "conditions": conditions}


def add_patient(session: Session, *, account_user_id: int, data: NewPatient) -> PatientView:
    """IDT-06: a real name and a checksum-valid resident ID; birth date and sex come from the ID."""
    today = local_today()
    try:
        resident = parse_resident_id(data.id_number, today=today)
    except InvalidIdentityNumber as exc:
        raise RuleViolation(str(exc), code=ErrorCode.BAD_ID_NUMBER) from exc
    name = data.name.strip()
    if not 2 <= len(name) <= 32:
        raise RuleViolation("请填写与身份证一致的真实姓名（2–32字）/ enter the real name as on the ID card",
                            code=ErrorCode.BAD_NAME)
    if data.relationship not in RELATIONSHIPS:
        raise RuleViolation("关系须为：" + "、".join(RELATIONSHIPS), code=ErrorCode.BAD_RELATIONSHIP)
    existing = _rows_of_account(session, account_user_id)
    if data.relationship == "本人":
        if any(p.relationship == "本人" for p in existing):
            raise Conflict("账户本人的就诊人档案已存在 / the account holder's profile already exists",
                           code=ErrorCode.SELF_EXISTS)
        registered = identity.get_user(session, user_id=account_user_id).id_number
        if registered and registered != resident.number:
            raise RuleViolation("本人身份证号与账户实名信息不一致 / the ID number differs from the account's "
                                "real-name record (IDT-06)", code=ErrorCode.REAL_NAME_MISMATCH)
    elif rules.is_under(resident.birth_date, rules.ADULT_AGE, today) and not any(
            p.relationship == "本人" for p in existing):
        raise RuleViolation("添加未成年家庭成员前，请先完成本人实名档案（监护人身份）/ add your own real-name profile "
                            "first: you are the minor's guardian", code=ErrorCode.GUARDIAN_PROFILE_REQUIRED)
    rules.check_guardian(data.relationship, resident.birth_date, data.guardian_relationship, today)
    index = field_cipher().blind_index(resident.number)
    if session.execute(select(Patient.id).where(Patient.account_user_id == account_user_id,
                                                Patient.id_number_index == index)).first():
        raise Conflict("该身份证号的就诊人已在账户中 / this person is already on the account", code=ErrorCode.PATIENT_EXISTS)
    patient = Patient(account_user_id=account_user_id, relationship=data.relationship, name=name,
                      id_number=resident.number, id_number_index=index, sex=resident.sex,
                      birth_date=resident.birth_date, guardian_relationship=data.guardian_relationship
                      if data.relationship != "本人" else None, **_clean_health(data.health, resident.sex))
    session.add(patient)
    session.flush()
    audit.record(session, action="hospital.patient.create", entity_type="patient", entity_id=patient.id,
                 detail={"relationship": patient.relationship, "guardian": patient.guardian_relationship})
    return _view_of(session, patient)


def update_health(session: Session, *, account_user_id: int, patient_id: int, facts: HealthFacts) -> PatientView:
    patient = _owned_row(session, account_user_id, patient_id)
    for key, value in _clean_health(facts, patient.sex).items():
        setattr(patient, key, value)
    session.flush()
    audit.record(session, action="hospital.patient.health", entity_type="patient", entity_id=patient.id,
                 detail={"allergies": patient.allergies, "conditions": [c["code"] for c in patient.conditions],
                         "pregnant": patient.pregnant, "lactating": patient.lactating})
    return _view_of(session, patient)


def grant_consent(session: Session, *, account_user_id: int, patient_id: int,
                  notice_version: str = CONSENT_NOTICE_VERSION) -> ConsentView:
    """DP-02: explicit and separate; for a minor the account holder consents as guardian."""
    patient = _owned_row(session, account_user_id, patient_id)
    current = session.execute(select(Consent).where(Consent.patient_id == patient.id,
                                                    Consent.withdrawn_at.is_(None))).scalars().first()
    if current is not None:
        return consent_view(current)
    granted_as = rules.consent_role(patient.relationship, patient.birth_date, local_today())
    if granted_as == "guardian" and not patient.guardian_relationship:
        raise RuleViolation("未成年人须由监护人同意 / a guardian must consent for a minor", code=ErrorCode.GUARDIAN_REQUIRED)
    consent = Consent(patient_id=patient.id, notice_version=notice_version, granted_by_user_id=account_user_id,
                      granted_as=granted_as, granted_at=utcnow())
    session.add(consent)
    session.flush()
    audit.record(session, action="hospital.consent.grant", entity_type="patient", entity_id=patient.id,
                 detail={"granted_as": granted_as, "notice_version": notice_version})
    return consent_view(consent)


def withdraw_consent(session: Session, *, account_user_id: int, patient_id: int) -> None:
    patient = _owned_row(session, account_user_id, patient_id)
    rows = session.execute(select(Consent).where(Consent.patient_id == patient.id,
                                                 Consent.withdrawn_at.is_(None))).scalars().all()
    if not rows:
        raise Conflict("当前没有有效的同意 / there is no consent to withdraw", code=ErrorCode.NO_CONSENT)
    now = utcnow()
    for consent in rows:
        consent.withdrawn_at = now
    session.flush()
    audit.record(session, action="hospital.consent.withdraw", entity_type="patient", entity_id=patient.id, detail={})


def add_record(session: Session, *, account_user_id: int, patient_id: int, data: NewRecord) -> MedicalRecordView:
    """IDT-02: the earlier diagnosis from a physical visit that makes a consultation a follow-up."""
    patient = _owned_row(session, account_user_id, patient_id)
    if data.record_type not in RECORD_TYPES:
        raise RuleViolation("病历类型须为：" + "、".join(RECORD_TYPES), code=ErrorCode.BAD_RECORD_TYPE)
    if data.visit_date > local_today() or data.visit_date < patient.birth_date:
        raise RuleViolation("就诊日期须在出生日期与今天之间 / the visit date must lie between birth and today",
                            code=ErrorCode.BAD_RECORD_DATE)
    institution, text = data.institution.strip(), data.diagnosis_text.strip()
    if not institution or not text:
        raise RuleViolation("请填写就诊机构和诊断 / institution and diagnosis are required", code=ErrorCode.RECORD_INCOMPLETE)
    mime = sniff_image(data.image) if data.image is not None else None
    record = MedicalRecord(patient_id=patient.id, record_type=data.record_type, institution=institution[:64],
                           visit_date=data.visit_date, diagnosis_code=normalize_icd10(data.diagnosis_code),
                           diagnosis_text=text[:200], image_data=data.image, image_mime=mime,
                           uploaded_by_user_id=account_user_id,
                           retain_until=add_years(data.visit_date, rules.OUTPATIENT_RECORD_YEARS))
    session.add(record)
    session.flush()
    audit.record(session, action="hospital.record.add", entity_type="record", entity_id=record.id,
                 detail={"patient_id": patient.id, "type": record.record_type, "icd10": record.diagnosis_code})
    return record_view(record)


def owned_record(session: Session, *, account_user_id: int, record_id: int) -> MedicalRecord:
    """The row, image included, for this domain's image route; other domains read `find_record`."""
    record = session.get(MedicalRecord, record_id)
    if record is None or record.sealed_at is not None:
        raise NotFound("病历不存在 / record not found", code=ErrorCode.RECORD_NOT_FOUND)
    _owned_row(session, account_user_id, record.patient_id)
    return record


def find_record(session: Session, *, record_id: int) -> MedicalRecordView | None:
    """Any earlier record by id, sealed ones included (`sealed=True`): a consultation that cites one keeps
    showing what it cited. None when the id does not exist."""
    record = session.get(MedicalRecord, record_id)
    return record_view(record) if record is not None else None


def list_records(session: Session, *, patient_id: int) -> list[MedicalRecordView]:
    """The patient's earlier diagnoses, sealed ones left out, in upload order."""
    rows = session.execute(select(MedicalRecord).where(MedicalRecord.patient_id == patient_id,
                                                       MedicalRecord.sealed_at.is_(None))
                           .order_by(MedicalRecord.id)).scalars()
    return [record_view(r) for r in rows]


def seal_patient(session: Session, *, account_user_id: int, patient_id: int, reason: str) -> SealedPatientView:
    """DP-03: the patient's deletion request. Consent ends; the profile and its earlier records are sealed,
    and `PatientSealed` lets every other domain seal what it keeps about the patient (IDT-11: nothing is
    deleted)."""
    patient = _owned_row(session, account_user_id, patient_id)
    if patient.relationship == "本人" and session.execute(select(Patient.id).where(
            Patient.account_user_id == account_user_id, Patient.relationship != "本人",
            Patient.sealed_at.is_(None))).first():
        raise Conflict("请先处理家庭成员档案，再申请删除本人档案 / seal family members' profiles first: you are "
                       "their guardian", code=ErrorCode.FAMILY_MEMBERS_REMAIN)
    now, reason = utcnow(), reason.strip()[:200] or "患者申请删除"
    patient.sealed_at, patient.sealed_reason = now, reason
    session.execute(update(Consent).where(Consent.patient_id == patient.id, Consent.withdrawn_at.is_(None))
                    .values(withdrawn_at=now))
    session.execute(update(MedicalRecord).where(MedicalRecord.patient_id == patient.id,
                                                MedicalRecord.sealed_at.is_(None)).values(sealed_at=now))
    session.flush()
    events.publish(session, PatientSealed(patient_id=patient.id, account_user_id=account_user_id, sealed_at=now))
    audit.record(session, action="hospital.patient.seal", entity_type="patient", entity_id=patient.id,
                 detail={"reason": reason})
    return sealed_patient(session, patient_id=patient.id)


def sealed_patient(session: Session, *, patient_id: int) -> SealedPatientView:
    """A sealed patient with every earlier record, for the administrator's audited read (the caller records
    the stated reason). NotFound when the patient does not exist or is not sealed."""
    patient = session.get(Patient, patient_id)
    if patient is None or patient.sealed_at is None:
        raise NotFound("没有该封存档案 / no sealed patient with this id", code=ErrorCode.SEALED_NOT_FOUND)
    records = session.execute(select(MedicalRecord).where(MedicalRecord.patient_id == patient.id)
                              .order_by(MedicalRecord.id)).scalars()
    return SealedPatientView(id=patient.id, name=patient.name, sealed_at=patient.sealed_at,
                             sealed_reason=patient.sealed_reason or "", records=[record_view(r) for r in records])


def record_family_contract(session: Session, *, patient_id: int, until: datetime | None) -> None:
    """The family-doctor domain states until when paid contract periods cover the patient (None: none)."""
    _patient_row(session, patient_id, include_sealed=True).family_contract_until = until
    session.flush()


def has_family_contract(session: Session, *, patient_id: int, now: datetime) -> bool:
    """IDT-01: a paid, running family-doctor contract covers the patient, whether or not included
    consultations are left (the contract itself is what allows online care without a physical visit)."""
    until = _patient_row(session, patient_id, include_sealed=True).family_contract_until
    return until is not None and until > now
