from datetime import date, timedelta

from tests.factories import pid

HTML = {"Accept": "text/html"}


def test_partner_sees_own_batches_with_expiry_highlighted(client, make_user, product, location, stock):
    partner, headers = make_user("partner_pharmacy")
    own = location("pharmacy", name="益丰大药房（测试店）", owner_user_id=partner.id)
    stock(own, product("板蓝根颗粒"), 5, date.today() + timedelta(days=10))
    stock(location("pharmacy", name="别家药房"), product("别家商品"), 5, date.today() + timedelta(days=300))
    page = client.get("/inventory/stock", headers={**headers, **HTML})
    assert page.status_code == 200
    assert "益丰大药房（测试店）" in page.text and "板蓝根颗粒" in page.text and "临期停售" in page.text
    assert "别家商品" not in page.text and 'id="receipt-form"' in page.text


def test_merchant_without_location_gets_an_empty_state_and_foreign_location_is_refused(client, make_user, location):
    _, headers = make_user("merchant")
    other = location("merchant")
    assert "还没有关联门店" in client.get("/inventory/stock", headers={**headers, **HTML}).text
    assert client.get(f"/inventory/stock?location_id={pid(other.id)}", headers={**headers, **HTML}).status_code == 404


def test_operator_page_shows_turnover_near_expiry_and_stock_outs(client, make_user, product, location, stock):
    _, headers = make_user("operator")
    stock(location("warehouse", name="北京测试仓"), product("过期口罩"), 3, date.today() + timedelta(days=2))
    page = client.get("/inventory/operations", headers={**headers, **HTML})
    assert page.status_code == 200
    assert "过期口罩" in page.text and "北京测试仓" in page.text and "没有销售成本" in page.text
    _, patient = make_user("patient")
    assert client.get("/inventory/operations", headers={**patient, **HTML}).status_code == 403
