"""Buying a prescription drug in Chromium with the demo patient's pharmacist-approved e-prescription
(seeded through the real prescribing and review services): 去购药 on /prescriptions, the prescription's
drugs on /shop?prescription=ID, the unlocked product page (insert + buy button), the cart, checkout
with the OD-03 risk tick box, paying, and the prescription marked used. A prescription still waiting
for the pharmacist unlocks nothing."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def _row(page, drug: str, status: str):
    return page.get_by_test_id("rx-row").filter(has_text=drug).filter(
        has=page.get_by_test_id("rx-status").filter(has_text=status)).first


def test_buy_an_rx_drug_with_an_approved_prescription(new_page):
    page = new_page()
    login(page, "demo_patient")

    # Before approval: the prescription waiting for the pharmacist cannot buy, the drug page stays locked.
    page.goto("/prescriptions")
    waiting = _row(page, "二甲双胍", "待药师审核")
    expect(waiting.get_by_test_id("rx-buy")).to_have_count(0)
    page.goto(f"/shop?prescription={waiting.get_attribute('data-rx-id')}")
    expect(page.get_by_test_id("rx-offer-problem")).to_contain_text("待药师审核")
    page.goto("/shop?q=二甲双胍")
    page.get_by_test_id("rx-section").get_by_test_id("result-item").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("rx-gate")).to_be_visible()
    expect(page.get_by_test_id("add-to-cart")).to_have_count(0)
    expect(page.get_by_test_id("package-insert")).to_have_count(0)

    # Approved: 去购药 lists the prescription's drug with a buy button tied to the prescription.
    page.goto("/prescriptions")
    approved = _row(page, "氨氯地平", "审核通过")
    rx_id = approved.get_attribute("data-rx-id")
    approved.get_by_test_id("rx-buy").click()
    page.wait_for_url(f"**/shop?prescription={rx_id}")
    offer = page.get_by_test_id("rx-offer-item").first
    expect(offer).to_contain_text("氨氯地平")
    screenshot(page, "rx-purchase-offer")
    offer.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/shop/products/[0-9a-f]{{32}}\?prescription={rx_id}$"))
    expect(page.get_by_test_id("rx-notice")).to_be_visible()
    expect(page.get_by_test_id("package-insert")).to_contain_text("适应症")
    buy = page.get_by_test_id("add-to-cart")
    expect(buy).to_have_attribute("data-prescription-id", rx_id)
    buy.click()
    expect(page.get_by_test_id("cart-message")).to_contain_text("已加入购物车")
    screenshot(page, "rx-purchase-product-unlocked")

    page.goto("/cart")
    expect(page.get_by_test_id("cart-rx")).to_contain_text("氨氯地平")
    expect(page.get_by_test_id("cart-line-prescription")).to_have_attribute("data-prescription-id", rx_id)
    page.get_by_test_id("go-checkout").click()
    page.wait_for_url("**/checkout")
    expect(page.locator("#rx-section")).to_be_visible()
    expect(page.get_by_test_id("rx-choice")).to_have_value(f"eprescription:{rx_id}")
    page.get_by_test_id("place-order").click()  # not yet ticked: refused with the reason
    expect(page.locator("#checkout-error")).to_contain_text("风险提示")
    page.get_by_test_id("rx-risk-ack").check()
    screenshot(page, "rx-purchase-checkout")
    page.get_by_test_id("place-order").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    expect(page.get_by_test_id("order-status")).to_have_text("待支付")
    expect(page.get_by_test_id("timeline")).to_contain_text("处方已核验")

    page.get_by_test_id("pay").click()
    page.wait_for_url("**/pay/sandbox/**")
    page.get_by_test_id("sandbox-pay").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}\?paid=1$"))
    expect(page.get_by_test_id("order-status")).to_have_text("待发货", timeout=20_000)
    # Other browser tests share the demo patient's cart, so the order may carry more parcels.
    expect(page.get_by_test_id("shipment").filter(has_text="氨氯地平")).to_have_count(1)
    screenshot(page, "rx-purchase-order")

    page.goto("/prescriptions")
    used = page.locator(f"[data-testid=rx-row][data-rx-id='{rx_id}']")
    expect(used.get_by_test_id("rx-status")).to_have_text("已使用")
    expect(used.get_by_test_id("rx-buy")).to_have_count(0)
