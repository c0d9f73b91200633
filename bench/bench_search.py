"""Catalogue search at 1,000,000 SKUs: our inverted index vs a brute-force scan, in one process.

The SKUs are real product titles (the shipped curated table plus the shared product data when
present) × manufacturers × strengths × packages, like `seed --scale large`. The query mix is what
shoppers type: Chinese names, brands, full pinyin, initials, mixed pinyin/Chinese and typos.
The baseline scans every SKU's precomputed haystack (names + pinyin + initials) with `in`, and
falls back to rapidfuzz over all names when nothing contains the query.
"""
import gc
import os
import random
import time
import tracemalloc

from rapidfuzz import fuzz, process

from bench.harness import Report, median, percentile
from healthhub.catalog import text as tx
from healthhub.catalog.importer import base_titles
from healthhub.catalog.search import SearchDoc, SearchIndex, SearchRequest
from healthhub.catalog.synthetic import variants

SKUS = int(os.environ.get("BENCH_SEARCH_SKUS", "1000000"))
QUERIES = ("布洛芬", "buluofen", "blf", "bu洛芬", "buluofn", "布落芬", "芬必得", "阿莫西林", "amxl", "amoxilin",
           "感冒灵", "ganmaoling", "二甲双胍", "ejsg", "维生素c", "weishengsu", "胶囊", "硝苯地平", "xbdp", "奥美拉唑",
           "阿托伐他汀", "atfd", "头孢", "toubao", "连花清瘟", "lhqw", "氯雷他定", "lvleitading", "蒙脱石散", "msss")
BASELINE_QUERIES = QUERIES[:10]


def _documents(count: int) -> list[SearchDoc]:
    titles = base_titles()
    rng = random.Random("bench-search")
    docs = []
    for n, variant in enumerate(variants(len(titles), count, rng), start=1):
        t = titles[variant.base]
        docs.append(SearchDoc(product_id=n, generic_name=t.generic_name, brand_name=t.brand_name,
                              ingredient_name=t.ingredient_name, english_name=t.english_name, rx_class=t.rx_class,
                              categories=t.categories, insurance_category=t.insurance_category,
                              sellable=t.sellable, popularity=variant.popularity))
    return docs


class LinearScan:
    """What a team without an index would write: one pass over every SKU per query."""

    def __init__(self, docs: list[SearchDoc]):
        cache: dict[tuple, str] = {}
        self.ids, self.haystacks, self.names = [], [], []
        for doc in docs:
            key = (doc.generic_name, doc.brand_name)
            hay = cache.get(key)
            if hay is None:
                names = [tx.normalize(doc.generic_name), tx.normalize(doc.brand_name)]
                hay = cache[key] = "|".join(names + [tx.full_pinyin(n) for n in names] + [tx.initials(n) for n in names])
            if doc.sellable:
                self.ids.append(doc.product_id)
                self.haystacks.append(hay)
                self.names.append(doc.generic_name)

    def search(self, text: str, size: int = 20) -> list[int]:
        query = tx.normalize(text)
        pinyin = tx.full_pinyin(query)
        found = [i for i, hay in zip(self.ids, self.haystacks, strict=True) if query in hay or pinyin in hay]
        if not found:
            found = [self.ids[i] for _, _, i in process.extract(query, self.names, scorer=fuzz.ratio, limit=size)]
        return found[:size]


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(report: Report) -> None:
    docs = _documents(SKUS)
    report.add("SKUs indexed", f"{len(docs):,}")
    gc.collect()
    rss_before = _rss_mib()
    started = time.perf_counter()
    index = SearchIndex.build(docs)
    report.add("index build time", time.perf_counter() - started, "s")
    report.add("index memory (RSS delta of the build)", _rss_mib() - rss_before, "MiB")
    # tracemalloc slows a build 50x, so it measures a 10% sample and the figure is scaled
    tracemalloc.start()
    SearchIndex.build(docs[: len(docs) // 10])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.add("index memory (tracemalloc peak, 10% build x10)", peak * 10 / 2**20, "MiB")

    for query in QUERIES:  # warm jieba / pinyin caches as a running server would be
        index.search(SearchRequest(text=query))
    samples = []
    for _round in range(5):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(SearchRequest(text=query, page=1, size=20))
            samples.append(time.perf_counter() - started)
    filtered = []
    for query in QUERIES:
        started = time.perf_counter()
        index.search(SearchRequest(text=query, rx=False, insurance_only=True, page=2, size=20))
        filtered.append(time.perf_counter() - started)
    report.add("index search p50 (30-query mix)", median(samples) * 1000, "ms")
    report.add("index search p99", percentile(samples, 99) * 1000, "ms")
    slowest = max(QUERIES, key=lambda q: max(samples[i] for i in range(QUERIES.index(q), len(samples), len(QUERIES))))
    report.add("slowest query of the mix", slowest)
    report.add("index search p50 with OTC + insurance filters, page 2", median(filtered) * 1000, "ms")

    baseline = LinearScan(docs)
    base_samples, ours_same = [], []
    for query in BASELINE_QUERIES:
        started = time.perf_counter()
        baseline.search(query)
        base_samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.search(SearchRequest(text=query))
        ours_same.append(time.perf_counter() - started)
    report.add("linear scan p50 (first 10 queries of the mix)", median(base_samples) * 1000, "ms")
    report.add("index p50 on the same 10 queries", median(ours_same) * 1000, "ms")
    report.add("speed-up (linear p50 / index p50)", median(base_samples) / median(ours_same), "x")


if __name__ == "__main__":
    run(Report())
