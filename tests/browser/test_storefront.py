"""Storefront end to end in Chromium: search in Chinese and pinyin initials, add an OTC drug to the cart,
check out with the routing plan, pay on the sandbox provider's page, and track the order (channel,
ETA, reason) once the provider's signed callback has arrived."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_search_cart_checkout_pay_and_track(new_page):
    page = new_page()
    login(page, "demo_patient")

    page.goto("/shop?q=布洛芬")
    expect(page.get_by_text("布洛芬缓释胶囊").first).to_be_visible()
    screenshot(page, "storefront-search-chinese")
    page.goto("/shop?q=blf")
    expect(page.get_by_text("布洛芬缓释胶囊").first).to_be_visible()
    screenshot(page, "storefront-search-initials")

    otc_hit = page.get_by_test_id("otc-section").get_by_test_id("result-item").filter(has_text="布洛芬").first
    otc_hit.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/shop/products/[0-9a-f]{32}$"))
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-message")).to_contain_text("已加入购物车")
    page.goto("/cart")
    expect(page.get_by_test_id("cart-otc")).to_contain_text("布洛芬")
    screenshot(page, "storefront-cart")

    page.get_by_test_id("go-checkout").click()
    page.wait_for_url("**/checkout")
    plan = page.get_by_test_id("planned-shipment").first
    expect(plan.get_by_test_id("plan-eta")).not_to_be_empty()
    expect(plan.get_by_test_id("plan-reason")).not_to_be_empty()
    screenshot(page, "storefront-checkout-plan")
    page.get_by_test_id("place-order").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    expect(page.get_by_test_id("order-status")).to_have_text("待支付")

    page.get_by_test_id("pay").click()
    page.wait_for_url("**/pay/sandbox/**")
    expect(page.get_by_test_id("sandbox-amount")).to_contain_text("¥")
    screenshot(page, "storefront-sandbox-pay")
    page.get_by_test_id("sandbox-pay").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}\?paid=1$"))

    # The provider's callback arrives asynchronously; the page polls and reloads when it has.
    expect(page.get_by_test_id("order-status")).to_have_text("待发货", timeout=20_000)
    shipment = page.get_by_test_id("shipment").first
    expect(shipment.get_by_test_id("channel")).not_to_be_empty()
    expect(shipment.get_by_test_id("eta")).not_to_be_empty()
    expect(shipment.get_by_test_id("reason")).to_contain_text("选择理由")
    expect(page.get_by_test_id("timeline")).to_contain_text("已支付")
    screenshot(page, "storefront-order-tracking")

    page.goto("/orders")
    expect(page.get_by_test_id("order-row").first).to_contain_text("待发货")
