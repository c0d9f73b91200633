"""Importer: validation report, never half-imported rows, idempotent re-import, missing data dir."""
import json

from sqlalchemy import func, select

from healthhub.catalog.importer import import_catalog
from healthhub.catalog.models import ImportRun, Product


def write(folder, name, rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({"data": rows}, ensure_ascii=False), encoding="utf-8")


GOOD = {"company_name": "中美天津史克制药有限公司", "company_abbreviation": "中美史克", "drug_generic_id": "7EZnbR86F5C",
        "drug_generic_name": "对乙酰氨基酚片", "trade_name": "必理通"}


def count(db, **where) -> int:
    query = select(func.count(Product.id))
    for name, value in where.items():
        query = query.where(getattr(Product, name) == value)
    return db.execute(query).scalar_one()


def test_missing_data_dir_still_loads_the_curated_table(db, tmp_path):
    report = import_catalog(db, tmp_path / "nowhere")
    assert not report.shared_dir_found
    assert report.rejected == 0 and report.created >= 60
    assert count(db, generic_name="布洛芬缓释胶囊", brand_name="芬必得") == 1
    fenbid = db.execute(select(Product).where(Product.source_key == "curated:C001")).scalar_one()
    assert (fenbid.rx_class, fenbid.knowledge_key, fenbid.approval_number) == ("otc_a", "ibuprofen", "国药准字H10900089")


def test_bad_rows_are_reported_with_file_index_and_reason_and_never_written(db, tmp_path):
    products = tmp_path / "products"
    write(products, "02-感冒咳嗽.json", [GOOD, {"company_name": "某药厂", "drug_generic_name": ""}, "not an object",
                                      {**GOOD, "drug_generic_id": "bad id!", "trade_name": "别名"}])
    (products / "03-糖尿病.json").write_text("{not json", encoding="utf-8")
    report = import_catalog(db, tmp_path)
    reasons = {(p.file, p.index): p.reason for p in report.problems}
    assert set(reasons) == {("02-感冒咳嗽.json", 1), ("02-感冒咳嗽.json", 2), ("02-感冒咳嗽.json", 3),
                            ("03-糖尿病.json", -1)}
    assert "missing fields" in reasons[("02-感冒咳嗽.json", 1)]
    assert "drug_generic_id" in reasons[("02-感冒咳嗽.json", 3)]
    assert count(db, brand_name="别名") == 0
    imported = db.execute(select(Product).where(Product.brand_name == "必理通")).scalar_one()
    assert imported.category == "感冒咳嗽" and imported.rx_class == "otc_a" and imported.list_price_cents is None
    run = db.execute(select(ImportRun).order_by(ImportRun.id.desc())).scalars().first()
    assert run.counts["rejected"] == 4 and len(run.problems) == 4


def test_reimport_is_idempotent_and_updates_changed_rows(db, tmp_path):
    products = tmp_path / "products"
    write(products, "02-感冒咳嗽.json", [GOOD])
    first = import_catalog(db, tmp_path)
    total = count(db)
    second = import_catalog(db, tmp_path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert count(db) == total
    write(products, "01-热门药品.json", [GOOD])
    write(products, "09-偏头痛.json", [GOOD])
    third = import_catalog(db, tmp_path)
    assert (third.created, third.updated) == (0, 1)
    product = db.execute(select(Product).where(Product.brand_name == "必理通")).scalar_one()
    assert product.categories == ["感冒咳嗽", "偏头痛"] and product.popularity == 500


def test_shared_row_of_a_curated_product_merges_instead_of_duplicating(db, tmp_path):
    write(tmp_path / "products", "15-疼痛缓解.json", [{**GOOD, "company_name": "中美天津史克制药有限公司",
                                                   "drug_generic_name": "布洛芬缓释胶囊", "trade_name": "芬必得"}])
    import_catalog(db, tmp_path)
    assert count(db, generic_name="布洛芬缓释胶囊", brand_name="芬必得") == 1


def test_classification_bans_special_and_listed_drugs_and_non_insulin_injections(db, tmp_path):
    write(tmp_path / "products", "36-麻醉药.json", [
        {**GOOD, "drug_generic_id": "inj000001", "drug_generic_name": "盐酸氨溴索注射液", "trade_name": "沐舒坦"},
        {**GOOD, "drug_generic_id": "inj000002", "drug_generic_name": "甘精胰岛素注射液", "trade_name": "长秀霖"}])
    import_catalog(db, tmp_path)
    by_brand = {p.brand_name: p for p in db.execute(select(Product)).scalars()}
    assert by_brand["沐舒坦"].online_sale_banned and "注射剂" in by_brand["沐舒坦"].ban_reason
    assert not by_brand["长秀霖"].online_sale_banned and by_brand["长秀霖"].cold_chain
    diazepam = db.execute(select(Product).where(Product.generic_name == "地西泮片")).scalar_one()
    assert diazepam.special_class == "psychotropic_2"
    warfarin = db.execute(select(Product).where(Product.generic_name == "华法林钠片")).scalar_one()
    assert warfarin.online_sale_banned and warfarin.special_class is None
