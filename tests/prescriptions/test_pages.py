"""Server-rendered pages: prescribe page, lists with status labels, detail with signature status."""
from sqlalchemy import update

from healthhub.core.public_ids import decode
from healthhub.prescriptions.models import PrescriptionItem
from tests.factories import pid
from tests.prescriptions.scenario import make_scenario
from tests.prescriptions.test_prescribing import create_and_sign


def test_prescribe_page_renders_for_the_treating_doctor_only(client, db):
    s = make_scenario(db)
    other = make_scenario(db)
    page = client.get(f"/doctor/consultations/{pid(s.consultation_id)}/prescribe", headers=s.doctor_headers)
    assert page.status_code == 200 and "开具电子处方" in page.text and "王建国" in page.text
    assert "原发性高血压" in page.text  # diagnoses prefilled from the consultation
    assert client.get(f"/doctor/consultations/{pid(s.consultation_id)}/prescribe",
                      headers=other.doctor_headers).status_code == 403


def test_patient_sees_waiting_for_review_and_tampering(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    listing = client.get("/prescriptions", headers=s.patient_headers)
    assert listing.status_code == 200 and "待药师审核" in listing.text and rx["number"] in listing.text
    detail = client.get(f"/prescriptions/{rx['id']}", headers=s.patient_headers)
    assert "签名有效" in detail.text and "签名校验失败" not in detail.text
    db.execute(update(PrescriptionItem).where(PrescriptionItem.prescription_id == decode(rx["id"])).values(quantity=5))
    db.expire_all()
    assert "签名校验失败" in client.get(f"/prescriptions/{rx['id']}", headers=s.patient_headers).text


def test_doctor_list_and_empty_states(client, db):
    s = make_scenario(db)
    assert "还没有开具过处方" in client.get("/doctor/prescriptions", headers=s.doctor_headers).text
    assert "暂无处方" in client.get("/prescriptions", headers=s.patient_headers).text
    create_and_sign(client, s)
    assert "待药师审核" in client.get("/doctor/prescriptions", headers=s.doctor_headers).text
    assert "没有需要处理的处方" in client.get("/doctor/prescriptions?needs_action=true", headers=s.doctor_headers).text


def test_a_prescription_is_reached_by_its_public_id_never_by_the_sequential_key(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    raw = decode(rx["id"])
    assert client.get(f"/api/v1/prescriptions/{raw}", headers=s.patient_headers).status_code == 404
    assert client.get(f"/prescriptions/{raw}", headers=s.patient_headers).status_code == 404
    assert client.get(f"/api/v1/prescriptions/{rx['id']}", headers=s.patient_headers).json()["number"] == rx["number"]
    listing = client.get("/prescriptions", headers=s.patient_headers).text
    assert f'href="/prescriptions/{rx["id"]}"' in listing and f'/prescriptions/{raw}"' not in listing
