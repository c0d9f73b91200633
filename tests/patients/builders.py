"""Patient registry test data through the real service."""
from datetime import date

from healthhub.patients import service as patients
from tests.factories import valid_id_number


def make_patient(db, user_id, *, birth=date(1985, 3, 4), relationship="本人", guardian=None, consent=True,
                 record=True, female=False):
    """A real-name profile under the account, with consent and an earlier diagnosis unless told otherwise;
    returns the patient's and the record's views."""
    patient = patients.add_patient(db, account_user_id=user_id, data=patients.NewPatient(
        relationship=relationship, name="张三丰", id_number=valid_id_number(birth=birth, female=female),
        guardian_relationship=guardian))
    if consent:
        patients.grant_consent(db, account_user_id=user_id, patient_id=patient.id)
    earlier = None
    if record:
        earlier = patients.add_record(db, account_user_id=user_id, patient_id=patient.id, data=patients.NewRecord(
            record_type="门诊病历", institution="北京朝阳医院", visit_date=date(2026, 10, 1), diagnosis_code="J06.9",
            diagnosis_text="急性上呼吸道感染"))
    db.commit()
    return patient, earlier
