"""The whole catalogue against OD-01 / OD-01a: nothing with a special-management ingredient is sellable, every
glucose-lowering injection is (with a prescription), and a shopper is told why a banned product is not sold."""
import json

import pytest
from sqlalchemy import select

from healthhub.catalog import service
from healthhub.catalog.errors import ErrorCode
from healthhub.catalog.importer import ImportReport, import_catalog, load_records, product_fields
from healthhub.catalog.models import Product
from healthhub.core.config import get_settings
from healthhub.core.errors import RuleViolation
from healthhub.knowledge.service import get_knowledge_base
from tests.factories import pid

# How Chinese compound names abbreviate a controlled ingredient (酚麻美敏, 布洛伪麻): checked as well as the
# full names, so a compound the ingredient table misses is still caught here.
ABBREVIATIONS = ("伪麻", "羟考酮", "曲马多", "可待因", "福尔可定")
CATALOGUES = ["curated", pytest.param("shared", marks=pytest.mark.skipif(
    not get_settings().data_dir.is_dir(), reason="shared data sets not present"))]


def controlled_fragments() -> tuple[str, ...]:
    kb = get_knowledge_base()
    names = {name for drug in kb.drugs() if drug.special_class and not drug.ingredients
             for name in (drug.name_zh, *drug.aliases) if len(name) >= 2 and not name.isascii()}
    return (*sorted(names), *ABBREVIATIONS)


def catalogue(which: str) -> list[dict]:
    records = load_records(get_settings().data_dir if which == "shared" else None, ImportReport())
    return [product_fields(r) for r in records if r.kind == "drug"]


def sellable(fields: dict) -> bool:
    return not fields["special_class"] and not fields["online_sale_banned"]


@pytest.mark.parametrize("which", CATALOGUES)
def test_no_product_containing_a_special_management_ingredient_is_sellable(which):
    kb = get_knowledge_base()
    fragments = controlled_fragments()
    offending = []
    for fields in catalogue(which):
        facts = kb.drug(fields["knowledge_key"]) if fields["knowledge_key"] else None
        ingredients = [kb.drug(key) for key in facts.ingredients] if facts else []
        controlled = (any(f in fields["generic_name"] for f in fragments)
                      or any(d.special_class for d in ingredients) or bool(facts and facts.special_class))
        if controlled and sellable(fields):
            offending.append(fields["generic_name"])
    assert offending == []


@pytest.mark.parametrize("which", CATALOGUES)
def test_every_glucose_lowering_injection_is_sellable_with_a_prescription(which):
    kb = get_knowledge_base()
    injections = [f for f in catalogue(which) if "注射" in f["generic_name"] and (
        "胰岛素" in f["generic_name"] or (f["knowledge_key"] and kb.drug(f["knowledge_key"]).glucose_lowering))]
    assert injections
    assert [f["generic_name"] for f in injections if not sellable(f) or f["rx_class"] != "rx"] == []


def write_shared(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    data = [{"company_name": maker, "company_abbreviation": maker[:2], "drug_generic_id": f"ctl{n:06d}",
             "drug_generic_name": name, "trade_name": brand} for n, (name, brand, maker) in enumerate(rows)]
    (folder / "15-疼痛缓解.json").write_text(json.dumps({"data": data}, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def controlled_catalogue(db, tmp_path):
    write_shared(tmp_path / "products", [("氨酚羟考酮片", "泰勒宁", "北京萌蒂制药有限公司"),
                                         ("氨酚曲马多片", "及通安", "西安杨森制药有限公司"),
                                         ("门冬胰岛素30注射液", "诺和锐", "诺和诺德(中国)制药有限公司")])
    import_catalog(db, tmp_path)
    db.commit()
    return {p.generic_name: p for p in db.execute(select(Product).where(Product.generic_name.in_(
        ("氨酚羟考酮片", "氨酚曲马多片", "门冬胰岛素30注射液")))).scalars()}


def test_a_banned_product_page_says_it_may_not_be_sold_online(client, controlled_catalogue):
    oxycodone = controlled_catalogue["氨酚羟考酮片"]
    assert oxycodone.special_class == "psychotropic_2" and oxycodone.list_price_cents is None
    response = client.get(f"/api/v1/catalog/products/{pid(oxycodone.id)}")
    assert response.status_code == 404 and response.json()["code"] == ErrorCode.ONLINE_SALE_BANNED
    assert "该药品不可网络销售" in response.json()["detail"] and "羟考酮" in response.json()["detail"]
    page = client.get(f"/shop/products/{pid(oxycodone.id)}", headers={"Accept": "text/html"}).text
    assert "该药品不可网络销售" in page and "不存在" not in page
    insulin = client.get(f"/api/v1/catalog/products/{pid(controlled_catalogue['门冬胰岛素30注射液'].id)}").json()
    assert insulin["sellable_online"] and insulin["rx"]


def test_controlled_compounds_are_refused_for_carts_and_shelves(db, controlled_catalogue):
    for name in ("氨酚羟考酮片", "氨酚曲马多片"):
        with pytest.raises(RuleViolation) as refused:
            service.ensure_sellable(service.get_product(db, product_id=controlled_catalogue[name].id))
        assert refused.value.code == ErrorCode.SPECIAL_MANAGEMENT_DRUG
