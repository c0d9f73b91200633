"""The prescribe page at a 1280 px desktop and a 390 px phone: nothing overflows sideways, the drug name has
room (the column once wrapped one character per line), and an impossible entry is explained in Chinese."""
from datetime import date

import pytest

from tests.browser.conftest import screenshot
from tests.browser.consult_flow import hypertension_follow_up_at_prescribe_page

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def assert_fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide in a {width} px viewport"
    drug = page.locator("[data-testid=rx-item] td.rx-drug").first.bounding_box()
    assert drug["width"] >= 120, f"the drug column is {drug['width']} px wide"
    assert drug["x"] >= 0 and drug["x"] + drug["width"] <= width


def test_prescribing_fits_desktop_and_phone_and_speaks_chinese(new_page):
    patient, doctor = new_page(), new_page()
    hypertension_follow_up_at_prescribe_page(patient, doctor, relationship="兄弟姐妹", name="林晓峰",
                                             birth=date(1975, 2, 14))
    dose = doctor.locator("[data-testid=rx-item] input[name=dose]")
    dose.fill("0")
    dose.dispatch_event("change")
    errors = doctor.get_by_test_id("rx-errors")
    errors.get_by_text("氨氯地平的单次剂量：必须大于 0").wait_for()
    assert "Input should" not in errors.inner_text()
    width, height = WIDTHS["desktop"]
    assert_fits(doctor, width)
    screenshot(doctor, "prescribing_desktop_1280")

    width, height = WIDTHS["phone"]
    doctor.set_viewport_size({"width": width, "height": height})
    assert_fits(doctor, width)
    assert doctor.locator("[data-testid=rx-item] td[data-label=单次剂量]").is_visible()
    screenshot(doctor, "prescribing_phone_390")

    dose.fill("5")
    dose.dispatch_event("change")
    errors.get_by_text("符合处方规则").wait_for()
