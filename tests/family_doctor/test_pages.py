"""The patient's family-doctor page names who each contract covers (masked), and every page speaks of our own
product, never another company's brand."""
import re
from datetime import date
from pathlib import Path

from healthhub.family_doctor import service
from healthhub.family_doctor.schemas import PackageIn
from healthhub.patients.service import NewPatient, add_patient
from tests.factories import valid_id_number

ROOT = Path(__file__).resolve().parents[2]
OTHER_BRANDS = re.compile(r"京东|\bJD\b|(?i:jingdong)")


def account_with_family(db, make_user):
    user, headers = make_user("patient")
    holder = add_patient(db, account_user_id=user.id, data=NewPatient(
        relationship="本人", name="赵丽颖", id_number=valid_id_number(birth=date(1988, 1, 2), female=True)))
    spouse = add_patient(db, account_user_id=user.id, data=NewPatient(
        relationship="配偶", name="冯绍峰", id_number=valid_id_number(birth=date(1978, 10, 7))))
    parent = add_patient(db, account_user_id=user.id, data=NewPatient(
        relationship="父母", name="赵大山", id_number=valid_id_number(birth=date(1958, 3, 4))))
    return user, headers, holder, spouse, parent


def test_each_contract_row_names_the_members_it_covers_masked(client, db, make_user):
    user, headers, holder, spouse, parent = account_with_family(db, make_user)
    package = service.save_package(db, data=PackageIn(
        code="fd-page-couple", name="夫妻健康包", price_cents=19900, period_days=30, included_consultations=2,
        response_minutes=30, members_covered=2))
    service.subscribe(db, account_user_id=user.id, package_id=package.id, member_patient_ids=[holder.id, spouse.id])
    db.commit()
    page = client.get("/family-doctor", headers=headers)
    assert page.status_code == 200
    [row] = re.findall(r'<td data-testid="fd-covered">(.*?)</td>', page.text)
    assert row == "赵**（本人）、冯**（配偶）"  # the parent, outside this contract, is not named


def test_the_family_doctor_page_carries_our_own_product_name(client, db, make_user):
    _, headers, *_ = account_with_family(db, make_user)
    db.commit()
    page = client.get("/family-doctor", headers=headers).text
    assert "HealthHub 家庭医生" in page and not OTHER_BRANDS.search(page)


def test_no_template_seed_or_document_names_another_companys_brand():
    """Templates, demo seeds, curated data and documents are what users and visitors read; code names them."""
    readable = [path for pattern in ("healthhub/**/*", "docs/**/*", "*.md") for path in ROOT.glob(pattern)
                if path.suffix in {".py", ".html", ".js", ".css", ".csv", ".md", ".json"}]
    offenders = [str(path.relative_to(ROOT)) for path in readable if OTHER_BRANDS.search(path.read_text("utf-8"))]
    assert offenders == []
