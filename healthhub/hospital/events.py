"""What the internet hospital tells others about consultations (family doctor packages count them)."""
from healthhub.core.events import domain_event


@domain_event("hospital.consultation_requested")
class ConsultationRequested:
    consultation_id: int
    patient_id: int
    account_user_id: int
    department_id: int
    follow_up_basis: str | None


@domain_event("hospital.consultation_closed")
class ConsultationClosed:
    consultation_id: int
    patient_id: int
    account_user_id: int
    doctor_id: int | None
    status: str  # "completed" | "cancelled" | ...
