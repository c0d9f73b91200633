"""Buying a prescription drug with a photo of a paper prescription, in Chromium: the locked Rx product page
offers both ways (upload a prescription, or a follow-up consultation), the patient uploads the image, the
pharmacist transcribes and approves it, and only then can the patient put the drug in the cart and order
it with that image (pre-selected at checkout because it covers the drug), acknowledge the risk warning and
pay."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.orders.conftest import PNG

pytestmark = pytest.mark.browser
DRUG = "二甲双胍"


def test_rx_product_upload_prescription_pharmacist_approves_then_purchase(new_page, tmp_path: Path):
    patient = new_page()
    login(patient, "demo_patient")
    patient.goto(f"/shop?q={DRUG}")
    patient.get_by_test_id("rx-section").get_by_test_id("result-item").first.get_by_role("link").first.click()
    expect(patient.get_by_test_id("rx-gate")).to_be_visible()
    expect(patient.get_by_test_id("add-to-cart")).to_have_count(0)
    expect(patient.get_by_test_id("rx-consult-link")).to_have_attribute("href", "/consult")
    product_id = patient.get_by_test_id("product-page").get_attribute("data-product-id")
    knowledge_key = patient.request.get(f"/api/v1/catalog/products/{product_id}").json()["knowledge_key"]
    assert knowledge_key
    screenshot(patient, "rx-upload-product-locked")

    patient.get_by_test_id("rx-upload-link").click()
    patient.wait_for_url(f"**/rx-uploads?product={product_id}")
    image = tmp_path / "prescription.png"
    image.write_bytes(PNG)
    patient.get_by_test_id("rx-upload-file").set_input_files(str(image))
    patient.get_by_test_id("rx-upload-submit").click()
    row = patient.get_by_test_id("my-rx-upload").first
    expect(row.get_by_test_id("my-rx-upload-status")).to_have_text("待审核")
    expect(patient.get_by_test_id("rx-upload-buy")).to_have_count(0)  # OD-03: nothing to buy before review
    upload_id = row.get_attribute("data-upload-id")

    pharmacist = new_page()
    login(pharmacist, "demo_pharmacist")
    pharmacist.goto("/pharmacist/rx-uploads")
    expect(pharmacist.locator(f"a[href='/pharmacist/rx-uploads/{upload_id}']")).to_have_count(1)
    pharmacist.goto(f"/pharmacist/rx-uploads/{upload_id}")
    pharmacist.fill("#rx-items [name=knowledge_key]", knowledge_key)
    pharmacist.fill("#rx-items [name=drug_name]", DRUG)
    pharmacist.fill("#rx-items [name=quantity]", "2")
    pharmacist.get_by_test_id("approve").click()
    expect(pharmacist.locator("h1")).to_contain_text("已通过")
    screenshot(pharmacist, "rx-upload-approved")

    patient.reload()
    expect(row.get_by_test_id("my-rx-upload-status")).to_have_text("已通过")
    buy = patient.get_by_test_id("rx-upload-buy").filter(
        has=patient.locator(f"[data-product-id='{product_id}']")).first
    buy.get_by_test_id("add-to-cart").click()
    expect(buy.get_by_test_id("cart-message")).to_contain_text("已加入购物车")
    screenshot(patient, "rx-upload-buy")

    patient.goto("/cart")
    patient.get_by_test_id("go-checkout").click()
    patient.wait_for_url("**/checkout")
    expect(patient.locator("#rx-section")).to_be_visible()
    expect(patient.get_by_test_id("rx-choice")).to_have_value(f"upload:{upload_id}")
    patient.get_by_test_id("rx-risk-ack").check()
    screenshot(patient, "rx-upload-checkout")
    patient.get_by_test_id("place-order").click()
    patient.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    expect(patient.get_by_test_id("timeline")).to_contain_text("处方已核验")

    patient.get_by_test_id("pay").click()
    patient.wait_for_url("**/pay/sandbox/**")
    patient.get_by_test_id("sandbox-pay").click()
    patient.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}\?paid=1$"))
    expect(patient.get_by_test_id("order-status")).to_have_text("待发货", timeout=20_000)
    expect(patient.get_by_test_id("shipment").filter(has_text=DRUG)).to_have_count(1)
    screenshot(patient, "rx-upload-order")

    patient.goto("/rx-uploads")
    expect(patient.locator(f"[data-upload-id='{upload_id}']").get_by_test_id("my-rx-upload-status")).to_have_text(
        "已使用")
