"""Pure decisions: Rx coverage, uploaded-image checks, transcription validation."""
from datetime import UTC, date, datetime, timedelta

import pytest

from healthhub.core.errors import AppError, RuleViolation
from healthhub.orders.rx_gate import RxLine, RxNeed, RxSource, check_coverage, require_source, rx_needs
from healthhub.core.dates import local_today
from healthhub.orders.uploads import ApprovedItem, sniff_image, validate_approval

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def test_rx_needs_sum_per_drug_and_skip_otc():
    needs = rx_needs([RxLine("amoxicillin", "阿莫西林胶囊", 2, True), RxLine("amoxicillin", "阿莫西林胶囊", 1, True),
                      RxLine("ibuprofen", "布洛芬缓释胶囊", 5, False)])
    assert needs == [RxNeed("amoxicillin", "阿莫西林胶囊", 3)]


def test_rx_line_without_knowledge_key_is_refused():
    with pytest.raises(RuleViolation, match="RX-01/OD-02"):
        rx_needs([RxLine(None, "某处方药", 1, True)])


def test_missing_prescription_gives_the_rule_message():
    with pytest.raises(RuleViolation) as caught:
        require_source([RxNeed("amoxicillin", "阿莫西林胶囊", 1)], None, None)
    assert caught.value.code == "rx-required"
    assert "处方药需凭有效处方购买 (RX-01/OD-02)" in caught.value.detail
    require_source([], None, None)  # OTC only: nothing needed
    require_source([RxNeed("amoxicillin", "阿莫西林胶囊", 1)], RxSource.UPLOAD, 7)


def test_coverage_needs_every_drug_in_enough_quantity():
    need = [RxNeed("amoxicillin", "阿莫西林胶囊", 3)]
    check_coverage(need, {"amoxicillin": 3})
    with pytest.raises(RuleViolation) as too_many:
        check_coverage(need, {"amoxicillin": 2})
    assert too_many.value.code == "rx-quantity-exceeded"
    with pytest.raises(RuleViolation) as other_drug:
        check_coverage(need, {"cefalexin": 5})
    assert other_drug.value.code == "rx-drug-not-covered"


def test_image_type_is_read_from_the_bytes():
    assert sniff_image(PNG) == "image/png"
    assert sniff_image(JPEG) == "image/jpeg"
    with pytest.raises(AppError) as gif:
        sniff_image(b"GIF89a" + b"\x00" * 100)
    assert gif.value.status == 415
    with pytest.raises(AppError) as huge:
        sniff_image(PNG + b"\x00" * (5 * 1024 * 1024))
    assert huge.value.status == 413
    with pytest.raises(AppError):
        sniff_image(b"\x89PNG")


def test_transcribed_prescription_validity_is_at_most_three_days():
    items = [ApprovedItem("amoxicillin", "阿莫西林胶囊", 2)]
    today = date(2026, 11, 23)
    validate_approval(issued_on=today, valid_until=today + timedelta(days=3), items=items, today=today)
    with pytest.raises(RuleViolation, match="RX-01"):
        validate_approval(issued_on=today, valid_until=today + timedelta(days=4), items=items, today=today)
    with pytest.raises(RuleViolation) as expired:
        validate_approval(issued_on=today - timedelta(days=5), valid_until=today - timedelta(days=3), items=items,
                          today=today)
    assert expired.value.code == "rx-expired"
    with pytest.raises(RuleViolation, match="RX-03"):
        validate_approval(issued_on=today, valid_until=today, today=today,
                          items=[ApprovedItem(f"d{i}", "药", 1) for i in range(6)])


def test_prescription_dates_are_china_dates():
    assert local_today(datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == date(2026, 11, 24)
