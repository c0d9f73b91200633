"""Patients under one account: real-name profiles (IDT-06), guardians for minors, health facts,
DP-02 separate consent, and earlier diagnoses from physical visits (IDT-02)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.crypto import field_cipher
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, NotFound, RuleViolation
from healthhub.core.identity_numbers import InvalidIdentityNumber, parse_resident_id
from healthhub.hospital import rules
from healthhub.hospital.models import Consent, MedicalRecord, Patient
from healthhub.hospital.views import PatientView, local_today, patient_view
from healthhub.identity import service as identity

CONSENT_NOTICE_VERSION = "2026-11"


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


def patient_row(session: Session, patient_id: int, *, include_sealed: bool = False) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or (patient.sealed_at is not None and not include_sealed):
        raise NotFound("就诊人不存在 / patient not found", code="patient-not-found")
    return patient


def owned_patient(session: Session, *, account_user_id: int, patient_id: int) -> Patient:
    """The account's own (unsealed) profile; someone else's reads as missing, so ids leak nothing."""
    patient = patient_row(session, patient_id)
    if patient.account_user_id != account_user_id:
        raise NotFound("就诊人不存在 / patient not found", code="patient-not-found")
    return patient


def patient_rows_of_account(session: Session, account_user_id: int) -> list[Patient]:
    return list(session.execute(select(Patient).where(
        Patient.account_user_id == account_user_id, Patient.sealed_at.is_(None),
    ).order_by(case((Patient.relationship == "本人", 0), else_=1), Patient.id)).scalars())


def has_consent(session: Session, patient_id: int) -> bool:
    return session.execute(select(Consent.id).where(Consent.patient_id == patient_id,
                                                    Consent.withdrawn_at.is_(None)).limit(1)).first() is not None


def _holder_name(session: Session, account_user_id: int) -> str:
    holder = session.execute(select(Patient.name).where(Patient.account_user_id == account_user_id,
                                                        Patient.relationship == "本人")).scalar_one_or_none()
    return holder or identity.get_user(session, user_id=account_user_id).display_name


def patient_view_of(session: Session, patient: Patient) -> PatientView:
    today = local_today()
    minor = rules.is_under(patient.birth_date, rules.ADULT_AGE, today)
    return patient_view(patient, consent_given=has_consent(session, patient.id),
                        guardian_name=_holder_name(session, patient.account_user_id) if minor else None, today=today)


def _clean_health(facts: HealthFacts, sex: str) -> dict:
    if facts.weight_kg is not None and not 0.3 <= facts.weight_kg <= 400:
        raise RuleViolation("体重应在 0.3–400 kg 之间 / weight must be 0.3–400 kg", code="bad-weight")
    if sex == "M" and (facts.pregnant or facts.lactating):
        message = "男性不能标记妊娠或哺乳 / pregnancy or lactation on a male profile"
        raise RuleViolation(message, code="bad-pregnancy", errors=[
            {"field": name, "message": message, "type": "value_error"}
            for name, flagged in (("pregnant", facts.pregnant), ("lactating", facts.lactating)) if flagged])
    conditions = []
    for item in facts.conditions:
        name = str(item.get("name", "")).strip()
        if not name:
            raise RuleViolation("慢性病须填写名称 / a chronic condition needs a name", code="bad-condition")
        conditions.append({"code": rules.normalize_icd10(str(item.get("code", ""))), "name": name[:100]})
    allergies = sorted({a.strip()[:50] for a in facts.allergies if a.strip()})
    return {"weight_kg": facts.weight_kg, "pregnant": facts.pregnant, "lactating": facts.lactating,
            "allergies": allergies, "conditions": conditions}


def add_patient(session: Session, *, account_user_id: int, data: NewPatient) -> Patient:
    """IDT-06: a real name and a checksum-valid resident ID; birth date and sex come from the ID."""
    today = local_today()
    try:
        resident = parse_resident_id(data.id_number, today=today)
    except InvalidIdentityNumber as exc:
        raise RuleViolation(str(exc), code="bad-id-number") from exc
    name = data.name.strip()
    if not 2 <= len(name) <= 32:
        raise RuleViolation("请填写与身份证一致的真实姓名（2–32字）/ enter the real name as on the ID card",
                            code="bad-name")
    if data.relationship not in rules.RELATIONSHIPS:
        raise RuleViolation("关系须为：" + "、".join(rules.RELATIONSHIPS), code="bad-relationship")
    existing = patient_rows_of_account(session, account_user_id)
    if data.relationship == "本人":
        if any(p.relationship == "本人" for p in existing):
            raise Conflict("账户本人的就诊人档案已存在 / the account holder's profile already exists",
                           code="self-exists")
        registered = identity.get_user(session, user_id=account_user_id).id_number
        if registered and registered != resident.number:
            raise RuleViolation("本人身份证号与账户实名信息不一致 / the ID number differs from the account's "
                                "real-name record (IDT-06)", code="real-name-mismatch")
    elif rules.is_under(resident.birth_date, rules.ADULT_AGE, today) and not any(
            p.relationship == "本人" for p in existing):
        raise RuleViolation("添加未成年家庭成员前，请先完成本人实名档案（监护人身份）/ add your own real-name profile "
                            "first: you are the minor's guardian", code="guardian-profile-required")
    rules.check_guardian(data.relationship, resident.birth_date, data.guardian_relationship, today)
    index = field_cipher().blind_index(resident.number)
    if session.execute(select(Patient.id).where(Patient.account_user_id == account_user_id,
                                                Patient.id_number_index == index)).first():
        raise Conflict("该身份证号的就诊人已在账户中 / this person is already on the account", code="patient-exists")
    patient = Patient(account_user_id=account_user_id, relationship=data.relationship, name=name,
                      id_number=resident.number, id_number_index=index, sex=resident.sex,
                      birth_date=resident.birth_date, guardian_relationship=data.guardian_relationship
                      if data.relationship != "本人" else None, **_clean_health(data.health, resident.sex))
    session.add(patient)
    session.flush()
    audit.record(session, action="hospital.patient.create", entity_type="patient", entity_id=patient.id,
                 detail={"relationship": patient.relationship, "guardian": patient.guardian_relationship})
    return patient


def update_health(session: Session, *, account_user_id: int, patient_id: int, facts: HealthFacts) -> Patient:
    patient = owned_patient(session, account_user_id=account_user_id, patient_id=patient_id)
    for key, value in _clean_health(facts, patient.sex).items():
        setattr(patient, key, value)
    session.flush()
    audit.record(session, action="hospital.patient.health", entity_type="patient", entity_id=patient.id,
                 detail={"allergies": patient.allergies, "conditions": [c["code"] for c in patient.conditions],
                         "pregnant": patient.pregnant, "lactating": patient.lactating})
    return patient


def grant_consent(session: Session, *, account_user_id: int, patient_id: int,
                  notice_version: str = CONSENT_NOTICE_VERSION) -> Consent:
    """DP-02: explicit and separate; for a minor the account holder consents as guardian."""
    patient = owned_patient(session, account_user_id=account_user_id, patient_id=patient_id)
    current = session.execute(select(Consent).where(Consent.patient_id == patient.id,
                                                    Consent.withdrawn_at.is_(None))).scalars().first()
    if current is not None:
        return current
    granted_as = rules.consent_role(patient.relationship, patient.birth_date, local_today())
    if granted_as == "guardian" and not patient.guardian_relationship:
        raise RuleViolation("未成年人须由监护人同意 / a guardian must consent for a minor", code="guardian-required")
    consent = Consent(patient_id=patient.id, notice_version=notice_version, granted_by_user_id=account_user_id,
                      granted_as=granted_as, granted_at=utcnow())
    session.add(consent)
    session.flush()
    audit.record(session, action="hospital.consent.grant", entity_type="patient", entity_id=patient.id,
                 detail={"granted_as": granted_as, "notice_version": notice_version})
    return consent


def withdraw_consent(session: Session, *, account_user_id: int, patient_id: int) -> None:
    patient = owned_patient(session, account_user_id=account_user_id, patient_id=patient_id)
    rows = session.execute(select(Consent).where(Consent.patient_id == patient.id,
                                                 Consent.withdrawn_at.is_(None))).scalars().all()
    if not rows:
        raise Conflict("当前没有有效的同意 / there is no consent to withdraw", code="no-consent")
    now = utcnow()
    for consent in rows:
        consent.withdrawn_at = now
    session.flush()
    audit.record(session, action="hospital.consent.withdraw", entity_type="patient", entity_id=patient.id, detail={})


def add_record(session: Session, *, account_user_id: int, patient_id: int, data: NewRecord) -> MedicalRecord:
    """IDT-02: the earlier diagnosis from a physical visit that makes a consultation a follow-up."""
    patient = owned_patient(session, account_user_id=account_user_id, patient_id=patient_id)
    if data.record_type not in rules.RECORD_TYPES:
        raise RuleViolation("病历类型须为：" + "、".join(rules.RECORD_TYPES), code="bad-record-type")
    if data.visit_date > local_today() or data.visit_date < patient.birth_date:
        raise RuleViolation("就诊日期须在出生日期与今天之间 / the visit date must lie between birth and today",
                            code="bad-record-date")
    institution, text = data.institution.strip(), data.diagnosis_text.strip()
    if not institution or not text:
        raise RuleViolation("请填写就诊机构和诊断 / institution and diagnosis are required", code="record-incomplete")
    mime = rules.sniff_image(data.image) if data.image is not None else None
    record = MedicalRecord(patient_id=patient.id, record_type=data.record_type, institution=institution[:64],
                           visit_date=data.visit_date, diagnosis_code=rules.normalize_icd10(data.diagnosis_code),
                           diagnosis_text=text[:200], image_data=data.image, image_mime=mime,
                           uploaded_by_user_id=account_user_id,
                           retain_until=rules.add_years(data.visit_date, rules.OUTPATIENT_RECORD_YEARS))
    session.add(record)
    session.flush()
    audit.record(session, action="hospital.record.add", entity_type="record", entity_id=record.id,
                 detail={"patient_id": patient.id, "type": record.record_type, "icd10": record.diagnosis_code})
    return record


def owned_record(session: Session, *, account_user_id: int, record_id: int) -> MedicalRecord:
    record = session.get(MedicalRecord, record_id)
    if record is None or record.sealed_at is not None:
        raise NotFound("病历不存在 / record not found", code="record-not-found")
    owned_patient(session, account_user_id=account_user_id, patient_id=record.patient_id)
    return record
