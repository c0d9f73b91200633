import pytest

from healthhub.knowledge.builder import build_knowledge_base
from healthhub.review.engine import review
from healthhub.review.schemas import ReviewRequest

TODAY_ISO = "2026-11-20"
# Amoxicillin, amlodipine, omeprazole and others have no curated condition contraindications: every
# review of them against a diagnosis says so (info), and the tests below expect it explicitly.
NO_CI_DATA = {"CONTRAINDICATION-NOT-CHECKED": "info"}
VALID_PRESCRIBER = {"qualified": True, "signature_valid": True, "patient_identified": True,
                    "issued_on": TODAY_ISO, "valid_until": TODAY_ISO}


@pytest.fixture(scope="session")
def kb():
    """The curated tables alone: these tests must not depend on ../shared/data being present."""
    return build_knowledge_base(None)


def make_request(items, *, age=40, sex="F", weight=60, diagnoses=("J02.9",), prescriber=VALID_PRESCRIBER,
                 **patient_or_request) -> ReviewRequest:
    patient = {"age_years": age, "sex": sex, "weight_kg": weight}
    request = {"diagnoses": list(diagnoses), "items": items, "prescriber": prescriber}
    for key, value in patient_or_request.items():
        (patient if key in ("pregnant", "lactating", "allergies", "conditions") else request)[key] = value
    request["patient"] = patient
    return ReviewRequest.model_validate(request)


def item(drug, dose=500, times=3, route="oral", days=5, **more):
    return {"drug": drug, "dose_mg": dose, "times_per_day": times, "route": route, "days": days, **more}


@pytest.fixture
def run(kb):
    """review() with the curated KB and a fixed date; returns (verdict, {rule: severity})."""
    from datetime import date  # noqa: PLC0415

    def _run(request, overrides=None):
        response = review(request, kb=kb, overrides=overrides, today=date.fromisoformat(TODAY_ISO))
        return response.verdict.value, {f.rule: f.severity.value for f in response.findings}, response
    return _run
