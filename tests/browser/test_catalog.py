"""Shopper searches the storefront in Chinese and by pinyin initials; Rx pages show no buy button."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, login, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("query", ["布洛芬", "blf"])
def test_patient_finds_ibuprofen_on_the_shop(new_page, query):
    page = new_page()
    login(page, "demo_patient")
    page.goto("/shop", timeout=60_000)  # the first search of a fresh server builds the index
    page.get_by_test_id("search-input").fill(query)
    page.get_by_test_id("search-button").click()
    page.wait_for_url("**/shop?q=*")
    results = page.get_by_test_id("result-item")
    assert results.count() >= 3
    assert "布洛芬" in page.get_by_test_id("otc-section").inner_text()
    screenshot(page, f"shop-search-{'ibuprofen' if query == '布洛芬' else query}")
    page.get_by_test_id("otc-section").locator("a", has_text="芬必得").first.click()
    assert page.get_by_test_id("add-to-cart").is_visible()
    assert "【用法用量】" in page.get_by_test_id("package-insert").inner_text()


def test_rx_product_page_shows_the_notice_and_no_buy_button(new_page):
    page = new_page()
    login(page, "demo_patient")
    page.goto("/shop?q=amxl&rx=rx")
    page.get_by_test_id("rx-section").locator("a", has_text="阿莫仙").first.click()
    assert "处方药须凭处方在药师指导下购买和使用" in page.get_by_test_id("rx-notice").inner_text()
    assert page.get_by_test_id("rx-gate").is_visible()
    assert page.get_by_test_id("add-to-cart").count() == 0
    screenshot(page, "shop-rx-product")


def test_visitor_browses_then_logs_in_to_buy(new_page):
    page = new_page()
    page.goto("/shop?q=blf", timeout=60_000)
    page.get_by_test_id("otc-section").locator("a", has_text="芬必得").first.click()
    product_url = page.url
    page.get_by_test_id("add-to-cart").click()
    page.wait_for_url("**/login?next=*")
    page.fill("input[name=username]", "demo_patient")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(product_url)
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-message")).to_have_text("已加入购物车")
