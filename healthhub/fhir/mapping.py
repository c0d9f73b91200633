"""Our views → FHIR R4 resources, always built through the fhir.resources R4B models so every
response is validated on the way out. Resource ids and references carry public ids (core/public_ids.py),
never our sequential keys."""
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole

from healthhub.core.public_ids import encode
from healthhub.hospital.service import ConsultationView, Diagnosis, DoctorView
from healthhub.knowledge.model import DrugFacts
from healthhub.patients.service import PatientView
from healthhub.prescriptions.service import ItemView, PrescriptionView

# A masked number identifies nobody, so it is not published under the official ID-number system
# (urn:oid:2.16.156.10011.1.3): a receiver matching on that system would take "1101**********1234" for a number.
MASKED_RESIDENT_ID_SYSTEM = "urn:healthhub:masked-resident-id"
LICENCE_SYSTEM = "urn:healthhub:practitioner-licence"  # 医师执业证书编码
RX_NUMBER_SYSTEM = "urn:healthhub:prescription-number"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"  # HL7's canonical URI for WHO ATC
# 国家医保药品分类与代码: HL7 terminology registers no URI for it, so it is named as ours until one exists.
NHSA_DRUG_SYSTEM = "urn:healthhub:nhsa-drug-code"

ENCOUNTER_STATUS = {"waiting": "planned", "assigned": "arrived", "in_progress": "in-progress",
                    "completed": "finished", "terminated": "finished", "cancelled": "cancelled"}
# UNDER_REVIEW is on hold until a pharmacist approves (IDT-08); a returned version is cancelled.
RX_STATUS = {"DRAFT": "draft", "SIGNED": "on-hold", "UNDER_REVIEW": "on-hold", "APPROVED": "active",
             "RETURNED": "cancelled", "USED": "completed", "EXPIRED": "stopped"}


def patient_resource(patient: PatientView) -> Patient:
    return Patient(
        id=encode(patient.id), active=True,
        identifier=[{"use": "secondary", "system": MASKED_RESIDENT_ID_SYSTEM, "value": patient.id_number_masked,
                     "type": {"text": "居民身份证号码（脱敏，不可用于识别）/ masked resident ID number"}}],
        name=[{"use": "official", "text": patient.name, "family": patient.name[:1], "given": [patient.name[1:]]}],
        gender="male" if patient.sex == "M" else "female", birthDate=patient.birth_date)


def practitioner_resource(doctor: DoctorView) -> Practitioner:
    return Practitioner(
        id=encode(doctor.id), active=doctor.eligible_online,
        identifier=[{"system": LICENCE_SYSTEM, "value": doctor.licence_no}],
        name=[{"text": doctor.name, "family": doctor.name[:1], "given": [doctor.name[1:]]}],
        qualification=[{"code": {"text": doctor.title},
                        "identifier": [{"system": LICENCE_SYSTEM, "value": doctor.licence_no}]}])


def practitioner_role_resource(doctor: DoctorView) -> PractitionerRole:
    return PractitionerRole(
        id=encode(doctor.id), active=doctor.eligible_online,
        practitioner={"reference": f"Practitioner/{encode(doctor.id)}", "display": doctor.name},
        organization={"display": doctor.institution},
        code=[{"text": doctor.title}],
        specialty=[{"text": name} for name in [doctor.centre, *doctor.departments, *doctor.specialties]])


def encounter_resource(consultation: ConsultationView) -> Encounter:
    participant = ([{"individual": {"reference": f"Practitioner/{encode(consultation.doctor_id)}"}}]
                   if consultation.doctor_id else None)
    period = {"start": consultation.started_at or consultation.queued_at}
    if consultation.ended_at:
        period["end"] = consultation.ended_at
    return Encounter(
        id=encode(consultation.id), status=ENCOUNTER_STATUS.get(consultation.status, "unknown"),
        class_fhir={"system": ACT_CODE, "code": "VR", "display": "virtual"},
        serviceType={"text": consultation.department},
        subject={"reference": f"Patient/{encode(consultation.patient_id)}"}, participant=participant, period=period,
        reasonCode=[{"text": consultation.complaint[:200]}] if consultation.complaint else None,
        diagnosis=[{"condition": {"reference": f"Condition/{condition_id(consultation.id, n)}"}, "rank": n}
                   for n, _ in enumerate(consultation.diagnoses, start=1)] or None)


def condition_id(consultation_id: int, rank: int) -> str:
    return f"enc{encode(consultation_id)}-{rank}"


def condition_resource(consultation: ConsultationView, rank: int, diagnosis: Diagnosis) -> Condition:
    return Condition(
        id=condition_id(consultation.id, rank),
        clinicalStatus={"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        verificationStatus={"coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]},
        category=[{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        code={"coding": [{"system": ICD10, "code": diagnosis.code, "display": diagnosis.name}], "text": diagnosis.name},
        subject={"reference": f"Patient/{encode(consultation.patient_id)}"},
        encounter={"reference": f"Encounter/{encode(consultation.id)}"},
        recordedDate=consultation.ended_at or consultation.started_at or consultation.queued_at)


def medication_request_id(prescription_id: int, line_no: int) -> str:
    return f"{encode(prescription_id)}-{line_no}"


def medication_concept(generic_name: str, drug: DrugFacts | None) -> dict:
    """Generic name as text, coded by ATC and, where the knowledge base holds exactly one, the NHSA code: a drug's
    NHSA codes differ by dosage form (the code's last two characters), which a prescription line does not name."""
    coding = [{"system": ATC, "code": code, "display": drug.name_en or None} for code in drug.atc_codes] if drug else []
    if drug and len(drug.insurance_codes) == 1:
        coding.append({"system": NHSA_DRUG_SYSTEM, "code": drug.insurance_codes[0], "display": drug.display_name})
    return {"coding": coding or None, "text": generic_name}


def medication_request_resource(rx: PrescriptionView, item: ItemView, drug: DrugFacts | None) -> MedicationRequest:
    status = RX_STATUS[rx.status] if rx.signature_valid is not False else "entered-in-error"
    note = [{"text": "签名校验失败：处方在签名后被修改"}] if rx.signature_valid is False else None
    dispense = {"quantity": {"value": item.quantity, "unit": "盒"},
                "expectedSupplyDuration": {"value": item.days, "unit": "d", "system": UCUM, "code": "d"}}
    if rx.issued_on and rx.valid_until:
        dispense["validityPeriod"] = {"start": rx.issued_on.isoformat(), "end": rx.valid_until.isoformat()}
    return MedicationRequest(
        id=medication_request_id(rx.id, item.line_no), status=status, intent="order",
        groupIdentifier={"system": RX_NUMBER_SYSTEM, "value": f"{rx.number}-v{rx.version}"},
        medicationCodeableConcept=medication_concept(item.generic_name, drug),
        subject={"reference": f"Patient/{encode(rx.patient_id)}", "display": rx.patient_label},
        encounter={"reference": f"Encounter/{encode(rx.consultation_id)}"},
        requester={"reference": f"Practitioner/{encode(rx.doctor_id)}", "display": rx.doctor_name},
        authoredOn=rx.signed_at or rx.created_at,
        reasonCode=[{"coding": [{"system": ICD10, "code": d["code"], "display": d["name"]}]} for d in rx.diagnoses],
        dosageInstruction=[{
            "text": f"{item.generic_name} 每次{item.dose}{item.unit}，{item.frequency_label}，{item.route}，共{item.days}天",
            "route": {"text": item.route}, "timing": {"code": {"text": item.frequency_label}},
            "doseAndRate": [{"doseQuantity": {"value": item.dose, "unit": item.unit}}]}],
        dispenseRequest=dispense, note=note)
