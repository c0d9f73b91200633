"""Review-service test helpers: prescriptions with a known engine verdict, tenants made through the API."""
import pytest

from healthhub.core.config import get_settings


def _item(drug: str, mg: float, times: int = 1, days: int = 7) -> dict:
    return {"drug": drug, "dose_mg": mg, "times_per_day": times, "route": "oral", "days": days}


def _request(items: list[dict], diagnoses: list[str]) -> dict:
    return {"patient": {"age_years": 45, "sex": "M", "weight_kg": 70}, "diagnoses": diagnoses, "items": items}


# Verdicts as the bundled knowledge base gives them (checked in test_review_api).
PASS_REQUEST = _request([_item("氨氯地平", 5)], ["I10"])
DDI_WARN_REQUEST = _request([_item("氨氯地平", 5), _item("辛伐他汀", 40)], ["I10", "E78.0"])
DAYS_WARN_REQUEST = _request([_item("氨氯地平", 5, days=14)], ["I10"])
REJECT_REQUEST = _request([_item("吗啡", 10, days=3)], ["R52"])
# A clinic's doctor re-signing (RV-05): name and practising-licence number as the clinic states them.
CONFIRMING_DOCTOR = {"name": "李建国", "licence_no": "110440100015372"}


@pytest.fixture
def allow_local_webhooks(monkeypatch):
    """The operator allows 127.0.0.1 (HEALTHHUB_WEBHOOK_ALLOWED_HOSTS): these tests' clinic endpoints run locally."""
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", ["127.0.0.1"])


@pytest.fixture
def new_tenant(client, make_user):
    """Creates a tenant through the API as an operator; returns (tenant json incl. key and secret, operator headers)."""
    _, operator = make_user("operator")
    counter = iter(range(1, 1000))

    def factory(**fields):
        body = {"code": f"clinic-{id(fields) % 10000}-{next(counter)}", "name": "测试社区诊所", **fields}
        response = client.post("/api/v1/review/tenants", json=body, headers=operator)
        assert response.status_code == 201, response.text
        return response.json()

    factory.operator_headers = operator
    return factory


@pytest.fixture
def clinic_admin_of(client, make_user, new_tenant):
    """A clinic_admin user made a member of the given tenant; returns their auth headers."""
    def factory(tenant: dict):
        user, headers = make_user("clinic_admin")
        response = client.post(f"/api/v1/review/tenants/{tenant['id']}/members",
                               json={"username": user.username, "role": "clinic_admin"},
                               headers=new_tenant.operator_headers)
        assert response.status_code == 201, response.text
        return headers

    return factory


@pytest.fixture
def pharmacist_of(client, make_user, new_tenant):
    def factory(tenant: dict | None = None):
        user, headers = make_user("pharmacist")
        if tenant is not None:
            response = client.post(f"/api/v1/review/tenants/{tenant['id']}/members",
                                   json={"username": user.username, "role": "pharmacist"},
                                   headers=new_tenant.operator_headers)
            assert response.status_code == 201, response.text
        return user, headers

    return factory
