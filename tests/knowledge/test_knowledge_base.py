"""The knowledge base as other domains use it: names, product names, facts, versions."""
import re

import pytest

from healthhub.core.config import get_settings
from healthhub.knowledge.builder import build_knowledge_base
from healthhub.knowledge.model import SpecialClass
from healthhub.knowledge.service import get_knowledge_base

COMMON_DRUGS = ["阿莫西林", "头孢克肟", "头孢呋辛", "布洛芬", "对乙酰氨基酚", "阿司匹林", "氯吡格雷", "华法林", "二甲双胍",
                "格列美脲", "格列齐特", "胰岛素", "甘精胰岛素", "氨氯地平", "硝苯地平", "缬沙坦", "厄贝沙坦", "卡托普利",
                "依那普利", "美托洛尔", "阿托伐他汀", "瑞舒伐他汀", "辛伐他汀", "奥美拉唑", "克拉霉素", "阿奇霉素",
                "左氧氟沙星", "甲硝唑", "西地那非", "他达拉非", "硝酸甘油", "单硝酸异山梨酯", "地高辛", "胺碘酮", "氟西汀",
                "舍曲林", "帕罗西汀", "曲马多", "吗啡", "地西泮", "艾司唑仑", "右美沙芬", "麻黄碱", "异维A酸", "甲氨蝶呤",
                "沙利度胺", "左甲状腺素", "别嘌醇", "秋水仙碱", "泼尼松", "孟鲁司特", "氯雷他定", "西替利嗪"]
shared_data = pytest.mark.skipif(not get_settings().data_dir.is_dir(), reason="shared data sets not present")


@pytest.fixture(scope="module")
def curated():
    return build_knowledge_base(None)


def test_curated_tables_alone_review_the_common_drugs(curated):
    assert len(curated) >= 300
    missing = [name for name in COMMON_DRUGS if curated.resolve(name) is None]
    assert missing == []
    assert curated.report.rejected == []  # the shipped tables are clean
    assert curated.report.shared_data_dir is None


def test_resolve_accepts_chinese_english_alias_and_atc_in_any_case(curated):
    amoxicillin = curated.resolve("阿莫西林")
    assert amoxicillin.name_en == "amoxicillin" and amoxicillin.antimicrobial
    assert curated.resolve("AMOXICILLIN") is amoxicillin
    assert curated.resolve("j01ca04") is amoxicillin
    assert curated.resolve(" Acetaminophen ").name_zh == "对乙酰氨基酚"
    assert curated.resolve("no such drug") is None


@pytest.mark.parametrize(("product", "generic", "form"), [
    ("盐酸二甲双胍缓释片", "二甲双胍", "片剂"), ("奥美拉唑肠溶胶囊", "奥美拉唑", "胶囊剂"),
    ("注射用头孢曲松钠", "头孢曲松", "注射剂"), ("布洛芬混悬液", "布洛芬", "混悬剂"),
    ("苯磺酸氨氯地平片", "氨氯地平", "片剂"), ("头孢克肟颗粒", "头孢克肟", "颗粒剂"), ("阿莫西林", "阿莫西林", None)])
def test_resolve_product_name_strips_forms_and_salts(curated, product, generic, form):
    drug, found_form = curated.resolve_product_name(product)
    assert drug is not None and drug.name_zh == generic
    assert found_form == form


def test_management_classes_and_online_ban_list(curated):
    assert curated.resolve("吗啡").special_class is SpecialClass.NARCOTIC
    assert curated.resolve("艾司唑仑").special_class is SpecialClass.PSYCHOTROPIC_2
    assert curated.resolve("麻黄碱").special_class is SpecialClass.PRECURSOR
    for banned in ("地高辛", "胺碘酮", "华法林", "碳酸锂", "秋水仙碱", "米非司酮", "米索前列醇", "利奈唑胺", "伏立康唑", "右美沙芬"):
        drug = curated.resolve(banned)
        assert drug.online_sale_banned and drug.ban_reason and not drug.sellable_online, banned
    assert curated.resolve("胰岛素").cold_chain and curated.resolve("胰岛素").sellable_online
    assert curated.resolve("阿莫西林").sellable_online


def test_curated_contraindicated_pairs_expand_over_classes(curated):
    sildenafil, tadalafil = curated.resolve("西地那非"), curated.resolve("他达拉非")
    for nitrate in ("硝酸甘油", "单硝酸异山梨酯", "硝酸异山梨酯"):
        for pde5 in (sildenafil, tadalafil):
            assert curated.interaction(pde5.key, curated.resolve(nitrate).key).severity == "contraindicated"
    assert curated.interaction(curated.resolve("克拉霉素").key, curated.resolve("辛伐他汀").key).severity == \
        "contraindicated"
    assert curated.interaction(curated.resolve("阿莫西林").key, curated.resolve("布洛芬").key) is None


def test_version_is_a_short_hash_that_changes_with_inputs(curated, tmp_path):
    assert re.fullmatch(r"[0-9a-f]{12}", curated.version)
    assert build_knowledge_base(None).version == curated.version
    (tmp_path / "atc").mkdir()
    (tmp_path / "atc" / "who_atc_ddd_2026-01-01.csv").write_text("atc_code,atc_name,ddd,uom,adm_r,note\n"
                                                                  "N02BE01,paracetamol,3,g,O,NA\n")
    assert build_knowledge_base(tmp_path).version != curated.version


def test_without_shared_data_the_process_kb_uses_the_curated_tables(without_shared_data):
    kb = without_shared_data
    assert kb.report.shared_data_dir is None
    assert kb.version == build_knowledge_base(None).version
    assert all(kb.resolve(name) for name in COMMON_DRUGS)


def test_get_knowledge_base_is_cached_per_process():
    assert get_knowledge_base() is get_knowledge_base()


@shared_data
def test_full_knowledge_base_has_atc_and_ddinter_drugs():
    kb = get_knowledge_base()
    summary = kb.summary()
    assert summary["drugs"] >= 5000 and summary["interactions"] >= 100_000
    assert kb.report.shared_data_dir is not None
    assert kb.resolve("Abacavir") is not None  # a DDInter drug outside the curated list
    assert kb.resolve("J01CA04") is kb.resolve("阿莫西林")  # ATC entries merged into the curated drug
    warfarin, metronidazole = kb.resolve("华法林"), kb.resolve("甲硝唑")
    assert kb.interaction(warfarin.key, metronidazole.key).severity == "major"
    # DDInter has sildenafil with nitrates only as a moderate "nitrous acid" pair: the curated row wins
    assert kb.interaction(kb.resolve("sildenafil").key, kb.resolve("nitroglycerin").key).severity == \
        "contraindicated"
    assert kb.resolve_trade_name("拜新同") is kb.resolve("硝苯地平")
    assert kb.group_name("J01CA") == "广谱青霉素类"
