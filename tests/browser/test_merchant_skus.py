"""A merchant lists a product without knowing its id: search by pinyin initials, pick a result, set code and
price, and the new SKU heads the list."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_merchant_finds_a_product_by_initials_and_lists_it(new_page):
    page = new_page()
    login(page, "demo_merchant")
    page.goto("/merchant/skus")
    page.get_by_test_id("sku-form").locator("input[name=sku_code]").fill("BROWSER-BLF-1")
    page.get_by_test_id("sku-form").locator("input[name=price_yuan]").fill("26.80")
    page.get_by_role("button", name="上架").click()  # nothing picked yet: refused on the page, nothing sent
    expect(page.locator("#sku-message")).to_have_text("请先搜索并从结果中选择商品")

    page.get_by_test_id("sku-product-search").fill("blf")
    option = page.get_by_test_id("sku-product-option").filter(has_text="芬必得")
    expect(option.first).to_be_visible(timeout=60_000)  # the first search of a fresh server builds the index
    screenshot(page, "merchant-sku-product-search")
    option.first.click()
    expect(page.get_by_test_id("sku-product-chosen")).to_contain_text("已选择：芬必得 布洛芬缓释胶囊")
    expect(page.get_by_test_id("sku-product-results")).to_be_hidden()

    page.get_by_role("button", name="上架").click()
    newest = page.get_by_test_id("sku-row").first
    expect(newest).to_contain_text("BROWSER-BLF-1")
    expect(newest).to_contain_text("芬必得")
    expect(newest).to_contain_text("26.80")
