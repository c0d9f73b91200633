"""Compound preparations: the special-management class derived from the ingredients (OD-01, IDT-09)."""
import pytest

from healthhub.knowledge.builder import build_knowledge_base
from healthhub.knowledge.compounds import derive_compound_class, load_compounds
from healthhub.knowledge.kb import KnowledgeBase
from healthhub.knowledge.model import SpecialClass


@pytest.fixture(scope="module")
def kb():
    return build_knowledge_base(None)


def drugs(kb, *names):
    return [kb.resolve(name) for name in names]


def test_a_compound_without_controlled_ingredients_is_ordinary(kb):
    derived = derive_compound_class(drugs(kb, "对乙酰氨基酚", "氯苯那敏"))
    assert derived.special_class is None and not derived.online_sale_banned and derived.ban_reason is None


def test_one_controlled_ingredient_makes_the_compound_special(kb):
    derived = derive_compound_class(drugs(kb, "对乙酰氨基酚", "羟考酮"))
    assert derived.special_class is SpecialClass.NARCOTIC
    assert "羟考酮（麻醉药品）" in derived.ban_reason


def test_several_controlled_ingredients_give_the_strictest_class(kb):
    derived = derive_compound_class(drugs(kb, "地西泮", "可待因", "麻黄碱", "对乙酰氨基酚"))
    assert derived.special_class is SpecialClass.NARCOTIC
    assert "可待因（麻醉药品）" in derived.ban_reason and "地西泮（第二类精神药品）" in derived.ban_reason


def test_a_stated_class_is_more_precise_but_never_absent(kb):
    # 2019年第63号: oxycodone compounds with ≤5 mg per unit are class II psychotropics, not narcotics.
    stated = derive_compound_class(drugs(kb, "羟考酮", "对乙酰氨基酚"), SpecialClass.PSYCHOTROPIC_2)
    assert stated.special_class is SpecialClass.PSYCHOTROPIC_2
    assert derive_compound_class(drugs(kb, "羟考酮", "对乙酰氨基酚"), None).special_class is SpecialClass.NARCOTIC


def test_ephedrine_compounds_are_banned_from_sale_but_are_not_precursors_themselves(kb):
    derived = derive_compound_class(drugs(kb, "对乙酰氨基酚", "伪麻黄碱", "右美沙芬"))
    assert derived.special_class is None and derived.online_sale_banned
    assert "含麻黄碱类复方制剂" in derived.ban_reason
    with_codeine = derive_compound_class(drugs(kb, "可待因", "麻黄碱"))
    assert with_codeine.special_class is SpecialClass.NARCOTIC


@pytest.mark.parametrize(("product", "special_class", "ingredient"), [
    ("氨酚羟考酮片", SpecialClass.PSYCHOTROPIC_2, "oxycodone"),
    ("氨酚曲马多片", SpecialClass.PSYCHOTROPIC_2, "tramadol"),
    ("复方磷酸可待因口服溶液(Ⅲ)", SpecialClass.PSYCHOTROPIC_2, "codeine"),
    ("复方福尔可定口服溶液", SpecialClass.NARCOTIC, "pholcodine"),
])
def test_controlled_compound_products_resolve_to_their_class(kb, product, special_class, ingredient):
    facts, _form = kb.resolve_product_name(product)
    assert facts.special_class is special_class and ingredient in facts.ingredients
    assert not facts.sellable_online and not facts.prescribable_online


def test_trade_names_of_controlled_compounds_are_known(kb):
    assert kb.resolve_trade_name("泰勒宁").key == "oxycodone and paracetamol"
    assert kb.resolve_trade_name("及通安").key == "tramadol and paracetamol"


@pytest.mark.parametrize("product", [
    "门冬胰岛素30注射液", "30/70混合重组人胰岛素注射液", "精蛋白锌重组赖脯胰岛素混合注射液(25R)", "德谷门冬双胰岛素注射液",
    "德谷胰岛素利拉鲁肽注射液", "甘精胰岛素利司那肽注射液(Ⅰ)", "依柯胰岛素注射液", "利司那肽注射液", "替尔泊肽注射液",
])
def test_insulin_and_glp1_products_are_known_glucose_lowering_drugs(kb, product):
    facts, form = kb.resolve_product_name(product)
    assert facts is not None and facts.glucose_lowering and form == "注射剂"
    assert facts.sellable_online and facts.special_class is None


def test_a_compound_row_with_an_unknown_or_single_ingredient_is_refused(kb, tmp_path):
    (tmp_path / "compounds.csv").write_text(
        "key,name_zh,name_en,ingredients,special_class,source\n"
        "x1,测试复方甲,test a,羟考酮;不存在的成分,,test\n"
        "x2,测试复方乙,test b,羟考酮,,test\n"
        "x3,测试复方丙,test c,羟考酮;对乙酰氨基酚,,\n"
        "x4,测试复方丁,test d,羟考酮;对乙酰氨基酚,,test\n", encoding="utf-8")
    fresh = KnowledgeBase()
    fresh.add_drug(kb.resolve("羟考酮"))
    fresh.add_drug(kb.resolve("对乙酰氨基酚"))
    load_compounds(fresh, tmp_path)
    reasons = [r.reason for r in fresh.report.rejected]
    assert len(reasons) == 3
    assert "unknown ingredient" in reasons[0] and "at least two" in reasons[1] and "source" in reasons[2]
    assert fresh.resolve("测试复方丁").special_class is SpecialClass.NARCOTIC
