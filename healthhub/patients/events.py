"""What the patient registry tells the domains that keep data about a patient."""
from datetime import datetime

from healthhub.core.events import domain_event


@domain_event("patients.patient_sealed")
class PatientSealed:
    """DP-03: the patient asked for deletion and the registry sealed the profile, its consent and its earlier
    records. Every domain holding the patient's medical data seals it too, in this same transaction; one that
    must refuse (an open consultation) raises, and the whole request is rolled back."""

    patient_id: int
    account_user_id: int
    sealed_at: datetime
