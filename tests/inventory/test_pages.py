import re
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


def test_operator_location_filter_narrows_near_expiry_and_stock_outs_too(client, make_user, product, location,
                                                                        stock):
    _, headers = make_user("operator")
    north, south = location("warehouse", name="北仓"), location("warehouse", name="南仓")
    stock(north, product("北仓临期口罩"), 3, date.today() + timedelta(days=2))
    stock(south, product("南仓临期棉签"), 3, date.today() + timedelta(days=2))
    everything = client.get("/inventory/operations", headers={**headers, **HTML}).text
    assert everything.count("北仓临期口罩") == 2 and everything.count("南仓临期棉签") == 2  # near-expiry and stock-out
    page = client.get(f"/inventory/operations?location_id={pid(north.id)}", headers={**headers, **HTML}).text
    near, outs = page.split('data-testid="stock-outs"', 1)
    assert "北仓临期口罩" in near and "北仓临期口罩" in outs
    assert "南仓临期棉签" not in page
    assert f'<option value="{pid(north.id)}" selected>' in page


def test_operator_filter_on_a_location_without_problems_shows_empty_states(client, make_user, product, location,
                                                                          stock):
    _, headers = make_user("operator")
    quiet = location("warehouse", name="安静仓")
    stock(location("warehouse"), product("别处临期口罩"), 3, date.today() + timedelta(days=2))
    page = client.get(f"/inventory/operations?location_id={pid(quiet.id)}", headers={**headers, **HTML}).text
    assert 'data-testid="near-expiry-empty"' in page and 'data-testid="stock-outs-empty"' in page
    assert "别处临期口罩" not in page


def test_stock_outs_are_paginated_with_links_that_keep_the_filter(client, make_user, product, location, stock):
    _, headers = make_user("operator")
    store = location("warehouse", name="缺货仓")
    for n in range(3):
        stock(store, product(f"缺货{n}号"), 1, date.today() + timedelta(days=2))
    url = f"/inventory/operations?location_id={pid(store.id)}&size=2"
    first = client.get(url, headers={**headers, **HTML}).text
    assert first.count('data-testid="stock-out"') == 2 and "见 API" not in first and "/api/v1/" not in first
    assert "第 1 / 2 页（共 3 条）" in first
    link = re.search(r'href="\?([^"]*outs_page=2)" data-testid="next-outs_page"', first).group(1).replace("&amp;", "&")
    assert f"location_id={pid(store.id)}" in link and "page=1" in link
    second = client.get(f"/inventory/operations?{link}&size=2", headers={**headers, **HTML}).text
    assert second.count('data-testid="stock-out"') == 1
    assert 'data-testid="prev-outs_page"' in second
    assert client.get(f"{url}&outs_page=0", headers={**headers, **HTML}).status_code == 422
