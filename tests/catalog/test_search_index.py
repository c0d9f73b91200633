"""The pure search index: matching kinds, ranking, filters, pagination, never-for-sale products."""
import pytest

from healthhub.catalog.search import (EXACT_BRAND, EXACT_GENERIC, SearchDoc, SearchIndex, SearchRequest)

DOCS = [
    SearchDoc(1, "布洛芬缓释胶囊", "芬必得", "布洛芬", "ibuprofen", "otc_a", ("疼痛缓解",), "A", True, 50),
    SearchDoc(2, "布洛芬混悬液", "美林", "布洛芬", "ibuprofen", "otc_a", ("感冒咳嗽",), "B", True, 80),
    SearchDoc(3, "阿莫西林胶囊", "阿莫仙", "阿莫西林", "amoxicillin", "rx", ("抗感染药",), "A", True, 70),
    SearchDoc(4, "盐酸曲马多缓释片", None, "曲马多", "tramadol", "rx", ("疼痛缓解",), "B", False, 99),
    SearchDoc(5, "对乙酰氨基酚片", "泰诺林", "对乙酰氨基酚", "paracetamol", "otc_a", ("感冒咳嗽",), "A", True, 60),
    SearchDoc(6, "复方布洛芬片", None, "复方布洛芬", None, "rx", ("疼痛缓解",), None, True, 10),
    SearchDoc(7, "电子体温计", "欧姆龙", "电子体温计", None, "none", ("医疗器械",), None, True, 5),
    SearchDoc(8, "布洛芬缓释胶囊", "芬必得", "布洛芬", "ibuprofen", "otc_a", ("疼痛缓解",), "A", True, 90),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS)


def ids(index, **request) -> list[int]:
    return index.search(SearchRequest(**request)).product_ids


@pytest.mark.parametrize("query", ["布洛芬", "buluofen", "blf", "bu洛芬", "BuLuoFen", "ｂｌｆ", "布落芬", "buluofn"])
def test_every_way_of_typing_ibuprofen_finds_the_ibuprofen_products(index, query):
    found = ids(index, text=query)
    assert {8, 2, 1} <= set(found)
    assert set(found[:3]) == {8, 2, 1}  # single-ingredient ibuprofen first, compound later


def test_exact_generic_beats_brand_beats_prefix_and_popularity_breaks_ties(index):
    result = index.search(SearchRequest(text="布洛芬"))
    assert result.product_ids[:3] == [8, 2, 1]  # same score, popularity 90 > 80 > 50
    assert result.hits[0].score == EXACT_GENERIC
    assert result.product_ids[-1] == 6  # 复方布洛芬片 only contains the query
    assert index.search(SearchRequest(text="芬必得")).hits[0].score == EXACT_BRAND


def test_typo_results_are_marked_fuzzy_and_exact_ones_are_not(index):
    assert index.search(SearchRequest(text="buluofn")).fuzzy
    assert not index.search(SearchRequest(text="buluofen")).fuzzy
    assert index.search(SearchRequest(text="zzzzqqq")).total == 0


def test_multi_word_queries_match_all_words(index):
    assert ids(index, text="芬必得 布洛芬") == [8, 1]
    assert ids(index, text="布洛芬胶囊") == [8, 1]


def test_english_and_inner_syllables(index):
    assert set(ids(index, text="ibuprofen")) == {1, 2, 8}
    assert ids(index, text="amoxicillin") == [3]
    assert 5 in ids(index, text="tainuolin")


def test_special_management_products_are_never_returned_for_sale(index):
    assert ids(index, text="曲马多") == []
    assert ids(index, text="qumaduo") == []
    assert 4 not in ids(index, text="", size=100)
    assert ids(index, text="曲马多", include_unsellable=True) == [4]


def test_filters_rx_category_insurance_and_stock(index):
    assert ids(index, text="布洛芬", rx=True) == [6]
    assert 6 not in ids(index, text="布洛芬", rx=False)
    assert ids(index, text="布洛芬", category="感冒咳嗽") == [2]
    assert ids(index, text="布洛芬", category="不存在的分类") == []
    assert 6 not in ids(index, text="布洛芬", insurance_only=True)
    assert ids(index, text="布洛芬", in_stock_ids=frozenset({1, 6, 99})) == [1, 6]
    assert ids(index, text="布洛芬", in_stock_ids=frozenset()) == []


def test_pages_do_not_overlap_and_cover_everything(index):
    seen = []
    for page in (1, 2, 3, 4):
        result = index.search(SearchRequest(text="", page=page, size=2))
        seen.extend(result.product_ids)
        assert result.total == 7
    assert len(seen) == len(set(seen)) == 7
    assert index.search(SearchRequest(text="布洛芬", page=5, size=2)).hits == ()


def test_empty_index_and_blank_query():
    empty = SearchIndex.build([])
    assert empty.search(SearchRequest(text="布洛芬")).total == 0
    assert empty.search(SearchRequest(text="")).total == 0
