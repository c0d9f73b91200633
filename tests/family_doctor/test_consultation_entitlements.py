"""Family-doctor contracts and hospital consultations: a covered patient's consultation consumes one
included consultation by its real id in the same transaction; used up or lapsed, it goes ahead as an
ordinary one; cancelled before a doctor took it, it gives the consultation back; IDT-01 lets the
contract stand in for the earlier diagnosis."""
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from healthhub.core.db import utcnow
from healthhub.core.public_ids import decode
from healthhub.family_doctor import service
from healthhub.family_doctor.models import EntitlementUse, Subscription
from healthhub.family_doctor.schemas import PackageIn
from healthhub.hospital.centres import department_by_name, ensure_centres
from tests.factories import next_id, pid
from tests.hospital.builders import request
from tests.patients.builders import make_patient

HOSPITAL = "/api/v1/hospital"


def covered(db, make_user, *, included=2, record=True, spouse=False):
    """A patient account whose holder (and spouse, if asked) is covered by a paid contract."""
    ensure_centres(db)
    package = service.save_package(db, data=PackageIn(
        code=f"fdc-{next_id()}", name="家庭医生·测试包", price_cents=19900, period_days=30,
        included_consultations=included, response_minutes=30, members_covered=2))
    user, headers = make_user("patient")
    patient, earlier = make_patient(db, user.id, record=record)
    partner, partner_record = (make_patient(db, user.id, relationship="配偶", birth=date(1987, 6, 1), female=True)
                               if spouse else (None, None))
    members = [patient.id] + ([partner.id] if partner else [])
    purchase = service.subscribe(db, account_user_id=user.id, package_id=package.id, member_patient_ids=members)
    service.confirm_payment(db, purchase_id=purchase.id, payment_ref=f"pay-{purchase.id}-{user.id}", now=utcnow())
    db.commit()
    [sub] = service.list_subscriptions(db, account_user_id=user.id)
    return SimpleNamespace(user=user, headers=headers, patient=patient, record=earlier, sub=sub, spouse=partner,
                           spouse_record=partner_record)


def uses_of(db, sub):
    db.expire_all()
    return list(db.execute(select(EntitlementUse).where(EntitlementUse.subscription_id == sub.id)
                           .order_by(EntitlementUse.id)).scalars())


def used(db, sub) -> int:
    db.expire_all()
    return db.get(Subscription, sub.id).consultations_used


def test_a_covered_patients_consultation_consumes_one_by_its_real_id(client, db, make_user):
    c = covered(db, make_user)
    created = request(client, c.headers, c.patient, c.record, department_by_name(db, "呼吸内科").id)
    assert created.status_code == 201, created.text
    [use] = uses_of(db, c.sub)
    assert pid(use.consultation_id) == created.json()["id"]
    assert use.patient_id == c.patient.id and use.released_at is None
    assert used(db, c.sub) == 1
    page = client.get("/family-doctor", headers=c.headers)
    assert page.status_code == 200 and f"<td>{created.json()['id']}</td>" in page.text and "已使用" in page.text


def test_cancelled_before_a_doctor_took_it_the_consultation_is_given_back(client, db, make_user):
    c = covered(db, make_user)
    cid = request(client, c.headers, c.patient, c.record, department_by_name(db, "呼吸内科").id).json()["id"]
    assert client.post(f"{HOSPITAL}/consultations/{cid}/cancel", headers=c.headers).status_code == 200
    [use] = uses_of(db, c.sub)
    assert pid(use.consultation_id) == cid and use.released_at is not None
    assert used(db, c.sub) == 0
    assert "已退回" in client.get("/family-doctor", headers=c.headers).text


def test_used_up_the_consultation_still_goes_ahead_as_an_ordinary_one(client, db, make_user):
    c = covered(db, make_user, included=1, spouse=True)
    respiratory = department_by_name(db, "呼吸内科").id
    first = request(client, c.headers, c.patient, c.record, respiratory)
    assert first.status_code == 201
    second = request(client, c.headers, c.spouse, c.spouse_record, respiratory)
    assert second.status_code == 201, second.text  # nothing left: not refused, just not covered
    assert [pid(u.consultation_id) for u in uses_of(db, c.sub)] == [first.json()["id"]]
    assert used(db, c.sub) == 1


def test_a_lapsed_contract_consumes_nothing(client, db, make_user):
    c = covered(db, make_user)
    db.get(Subscription, c.sub.id).ends_at = utcnow() - timedelta(minutes=1)
    db.commit()
    assert request(client, c.headers, c.patient, c.record, department_by_name(db, "呼吸内科").id).status_code == 201
    assert uses_of(db, c.sub) == [] and used(db, c.sub) == 0


def test_a_family_member_outside_the_contract_consumes_nothing(client, db, make_user):
    c = covered(db, make_user)
    spouse, record = make_patient(db, c.user.id, relationship="配偶", birth=date(1987, 6, 1), female=True)
    assert request(client, c.headers, spouse, record, department_by_name(db, "呼吸内科").id).status_code == 201
    assert uses_of(db, c.sub) == []


def test_idt01_the_contract_stands_in_for_the_earlier_diagnosis(client, db, make_user):
    c = covered(db, make_user, record=False)
    created = request(client, c.headers, c.patient, None, department_by_name(db, "全科").id,
                      complaint="高血压随访，咨询用药")
    assert created.status_code == 201, created.text
    assert created.json()["follow_up_basis"] == "family_contract" and created.json()["record"] is None
    stored = client.get(f"{HOSPITAL}/consultations/{created.json()['id']}", headers=c.headers)
    assert stored.json()["follow_up_basis"] == "family_contract"
    assert [pid(u.consultation_id) for u in uses_of(db, c.sub)] == [created.json()["id"]]


def test_idt01_without_a_record_a_lapsed_contract_does_not_count(client, db, make_user):
    c = covered(db, make_user, record=False)
    db.get(Subscription, c.sub.id).ends_at = utcnow() - timedelta(days=1)
    service.expire_subscriptions(db, now=utcnow())  # the daily job: the patient registry learns it lapsed
    db.commit()
    refused = request(client, c.headers, c.patient, None, department_by_name(db, "全科").id)
    assert refused.status_code == 422 and refused.json()["code"] == "follow-up-required"
    assert uses_of(db, c.sub) == []


def test_consuming_twice_for_one_consultation_is_a_no_op(client, db, make_user):
    c = covered(db, make_user)
    cid = request(client, c.headers, c.patient, c.record, department_by_name(db, "呼吸内科").id).json()["id"]
    again = service.consume_for_consultation(db, account_user_id=c.user.id, patient_id=c.patient.id,
                                             consultation_id=decode(cid), now=utcnow())
    assert pid(again.consultation_id) == cid and len(uses_of(db, c.sub)) == 1 and used(db, c.sub) == 1
