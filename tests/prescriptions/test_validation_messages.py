"""A doctor who types an impossible value on the prescribe page is told, in Chinese, which field is wrong
(pydantic's English stays available as message_en for integrators); the problem+json shape is unchanged."""
import re

from tests.prescriptions.scenario import body, make_scenario

BASE = "/api/v1/prescriptions"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_field_errors_of_the_prescribe_form_are_chinese(client, db):
    s = make_scenario(db)
    bad_line = {"name": "氨氯地平", "dose": "0", "unit": "mg", "frequency": "qd", "route": "口服", "days": 0,
                "quantity": 100}
    payload = body(s.consultation_id, bad_line, diagnoses=[{"code": "高血压", "name": "原发性高血压"}])
    response = client.post(f"{BASE}/check", json=payload, headers=s.doctor_headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "validation-error" and problem["title"] == "输入校验失败"
    messages = {e["field"]: e["message"] for e in problem["errors"]}
    assert messages == {"items[0].dose": "必须大于 0", "items[0].days": "不能小于 1",
                        "items[0].quantity": "不能大于 99", "diagnoses[0].code": "格式不正确"}
    assert not any(LATIN_WORD.search(m) for m in messages.values())
    assert {e["message_en"] for e in problem["errors"]} >= {"Input should be greater than 0"}
    assert "items[0].dose：必须大于 0" in problem["detail"]


def test_wrong_types_and_unknown_fields_are_named_in_chinese(client, db):
    s = make_scenario(db)
    payload = {**body(s.consultation_id), "validity_days": "三天", "colour": "red"}
    problem = client.post(f"{BASE}/check", json=payload, headers=s.doctor_headers).json()
    assert {e["field"]: e["message"] for e in problem["errors"]} == {"validity_days": "须为整数",
                                                                       "colour": "不支持的字段"}
