"""The in-memory product search index (pure: no database, testable and benchmarkable alone).

Why it is fast at millions of SKUs: a catalogue has millions of offers but only thousands of
distinct *titles* (通用名 + 商品名: every manufacturer's package of 布洛芬缓释胶囊 "芬必得" shares one).
All text matching (exact, prefix, character n-grams, jieba tokens, pinyin and initials prefixes,
rapidfuzz near misses) runs over the titles through inverted indexes; the matched titles' documents
are then filtered and ranked with numpy over columnar arrays, and only the requested page is sorted.

Ranking: exact generic (or ingredient) name > exact brand > prefix > contains > all tokens >
pinyin (full > initials, start > inner syllable) > fuzzy; ties go to the more popular product,
then the lower product id, so pages never overlap.
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from healthhub.catalog import text as tx

EXACT_GENERIC, EXACT_BRAND, EXACT_ENGLISH, PREFIX, CONTAINS, TOKENS = 100, 90, 88, 80, 70, 60
PINYIN_EXACT, PINYIN_START, INITIALS_EXACT, INITIALS_START, PINYIN_INNER, INITIALS_INNER = 50, 46, 44, 42, 38, 34
FUZZY_MIN, FUZZY_MAX = 10, 30

RX_CODES = {"none": 0, "rx": 1, "otc_a": 2, "otc_b": 3}
INSURANCE_CODES = {None: 0, "A": 1, "B": 2}
MAX_CATEGORIES = 64  # one bit each in a uint64 column
PINYIN_START_CAP, PINYIN_INNER_CAP, INITIALS_START_CAP, INITIALS_INNER_CAP = 24, 12, 12, 8


@dataclass(frozen=True, slots=True)
class SearchDoc:
    product_id: int
    generic_name: str
    brand_name: str | None = None
    ingredient_name: str | None = None  # 布洛芬 for 布洛芬缓释胶囊 (from the knowledge base)
    english_name: str | None = None
    rx_class: str = "rx"  # rx / otc_a / otc_b / none (health goods)
    categories: tuple[str, ...] = ()
    insurance_category: str | None = None  # "A", "B" or None
    sellable: bool = True  # False for special-management, banned or inactive products
    popularity: int = 0


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    rx: bool | None = None  # True: Rx only; False: OTC and health goods only
    category: str | None = None
    insurance_only: bool = False
    in_stock_ids: frozenset[int] | None = None  # from the inventory domain; None = no stock filter
    include_unsellable: bool = False  # operators only: never for a storefront
    page: int = 1
    size: int = 20


@dataclass(frozen=True)
class Hit:
    product_id: int
    score: int


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    total: int
    page: int
    size: int
    fuzzy: bool  # True when only near misses matched ("did you mean")

    @property
    def product_ids(self) -> list[int]:
        return [h.product_id for h in self.hits]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _add(mapping: dict, key: str, title: int, score: int) -> None:
    bucket = mapping[key]
    if bucket.get(title, -1) < score:
        bucket[title] = score


def _category_mask(categories: tuple[str, ...], category_bits: dict[str, int]) -> int:
    mask = 0
    for category in categories:
        bit = category_bits.get(category)
        if bit is None:
            if len(category_bits) >= MAX_CATEGORIES:
                raise ValueError(f"more than {MAX_CATEGORIES} categories; merge some before indexing")
            bit = category_bits[category] = len(category_bits)
        mask |= 1 << bit
    return mask


class SearchIndex:
    """Build with `SearchIndex.build(docs)`; immutable afterwards, so it is safe to share between threads."""

    def __init__(self) -> None:
        self._exact: dict[str, dict[int, int]] = defaultdict(dict)  # name -> {title: score}
        self._ngrams: dict[str, set[int]] = defaultdict(set)  # CJK unigrams and bigrams -> titles
        self._tokens: dict[str, set[int]] = defaultdict(set)
        self._pinyin: dict[str, set[int]] = defaultdict(set)  # pinyin / initials, exact and prefixes -> titles
        self._english: dict[str, set[int]] = defaultdict(set)  # English word prefixes
        self._fields: list[tuple[str, ...]] = []  # normalised Chinese fields per title
        self._pinyins: list[tuple[str, ...]] = []  # full pinyin of the fields, for keys longer than the caps
        self._fuzzy_terms: dict[str, set[int]] = defaultdict(set)
        self.categories: tuple[str, ...] = ()

    # ---- building -------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: Iterable[SearchDoc]) -> "SearchIndex":
        index = cls()
        title_ids: dict[tuple, int] = {}
        titles: list[tuple] = []
        category_bits: dict[str, int] = {}
        masks: dict[tuple[str, ...], int] = {}  # millions of documents share a few hundred category sets
        doc_title, product_ids, rx, insurance, cats, sellable, popularity = [], [], [], [], [], [], []
        for doc in docs:
            key = (doc.generic_name, doc.brand_name or "", doc.ingredient_name or "", doc.english_name or "")
            title = title_ids.get(key)
            if title is None:
                title = title_ids[key] = len(titles)
                titles.append(key)
            mask = masks.get(doc.categories)
            if mask is None:
                mask = masks[doc.categories] = _category_mask(doc.categories, category_bits)
            doc_title.append(title)
            product_ids.append(doc.product_id)
            rx.append(RX_CODES[doc.rx_class])
            insurance.append(INSURANCE_CODES[doc.insurance_category])
            cats.append(mask)
            sellable.append(doc.sellable)
            popularity.append(doc.popularity)
        index.categories = tuple(category_bits)
        index._category_bits = category_bits
        index._columns(doc_title, product_ids, rx, insurance, cats, sellable, popularity, len(titles))
        tx.teach_words({tx.normalize(part) for t in titles for part in t[:3] if tx.has_cjk(part)})
        for title, fields in enumerate(titles):
            index._analyse(title, *fields)
        index._freeze()
        return index

    def _columns(self, doc_title, product_ids, rx, insurance, cats, sellable, popularity, n_titles) -> None:
        self.size = len(product_ids)
        self._product_ids = np.asarray(product_ids, dtype=np.int64)
        self._rx = np.asarray(rx, dtype=np.int8)
        self._insurance = np.asarray(insurance, dtype=np.int8)
        self._cats = np.asarray(cats, dtype=np.uint64)
        self._sellable = np.asarray(sellable, dtype=bool)
        pop = np.asarray(popularity, dtype=np.int64)
        # rank: higher is better; popularity first, then the lower product id (a stable, unique tie-break)
        order = np.lexsort((self._product_ids, -pop))
        self._rank = np.empty(self.size, dtype=np.int64)
        self._rank[order] = np.arange(self.size - 1, -1, -1, dtype=np.int64)
        self._by_rank = order.astype(np.int32)
        titles = np.asarray(doc_title, dtype=np.int32)
        by_title = np.argsort(titles, kind="stable").astype(np.int32)
        bounds = np.searchsorted(titles[by_title], np.arange(n_titles + 1))
        self._postings = [by_title[bounds[t]:bounds[t + 1]] for t in range(n_titles)]

    def _analyse(self, title: int, generic: str, brand: str, ingredient: str, english: str) -> None:
        generic, brand, ingredient = tx.normalize(generic), tx.normalize(brand), tx.normalize(ingredient)
        fields = tuple(f for f in (generic, ingredient, brand) if f)
        self._fields.append(fields)
        for name, score in ((generic, EXACT_GENERIC), (ingredient, EXACT_GENERIC), (brand, EXACT_BRAND)):
            if name:
                _add(self._exact, name, title, score)
        for field in fields:
            for i, char in enumerate(field):
                self._ngrams[char].add(title)
                if i + 1 < len(field):
                    self._ngrams[field[i:i + 2]].add(title)
            for token in tx.tokens(field):
                self._tokens[token].add(title)
                if len(token) >= 2:
                    self._fuzzy_terms[token].add(title)
                    self._fuzzy_terms[tx.full_pinyin(token)].add(title)
            self._fuzzy_terms[field].add(title)
            self._analyse_pinyin(title, field)
        self._pinyins.append(tuple(tx.full_pinyin(f) for f in fields))
        english = tx.normalize_words(english) if english else ()
        if english:
            _add(self._exact, " ".join(english), title, EXACT_ENGLISH)
            for word in english:
                self._fuzzy_terms[word].add(title)
                for length in range(3, min(len(word), 16) + 1):
                    self._english[word[:length]].add(title)

    def _analyse_pinyin(self, title: int, field: str) -> None:
        if not tx.has_cjk(field):
            return
        for pinyin, initials, start in tx.syllable_suffixes(field):
            if start == 0:
                self._pinyin["p=" + pinyin].add(title)
                self._pinyin["i=" + initials].add(title)
                py_kind, py_cap, ini_kind, ini_cap, shortest = "ps", PINYIN_START_CAP, "is", INITIALS_START_CAP, 1
            else:
                py_kind, py_cap, ini_kind, ini_cap, shortest = "pi", PINYIN_INNER_CAP, "ii", INITIALS_INNER_CAP, 2
            for length in range(shortest, min(len(pinyin), py_cap) + 1):
                self._pinyin[f"{py_kind}:{pinyin[:length]}"].add(title)
            for length in range(shortest, min(len(initials), ini_cap) + 1):
                self._pinyin[f"{ini_kind}:{initials[:length]}"].add(title)

    def _freeze(self) -> None:
        # plain dicts: a lookup of a missing key must not grow the index
        self._exact, self._ngrams, self._tokens = dict(self._exact), dict(self._ngrams), dict(self._tokens)
        self._pinyin, self._english = dict(self._pinyin), dict(self._english)
        self._fuzzy_list = list(self._fuzzy_terms)
        self._fuzzy_terms = dict(self._fuzzy_terms)

    # ---- matching --------------------------------------------------------------------------------------------
    def match_titles(self, text: str) -> tuple[dict[int, int], bool]:
        """{title: best score} for a query, and whether only fuzzy matching found anything."""
        query = tx.normalize(text)
        scores: dict[int, int] = {}
        if not query:
            return scores, False

        def offer(titles, score: int) -> None:
            for title in titles or ():
                if scores.get(title, -1) < score:
                    scores[title] = score

        for title, score in self._exact.get(query, {}).items():
            offer((title,), score)
        english_query = " ".join(tx.normalize_words(text))
        if english_query and english_query != query:
            for title, score in self._exact.get(english_query, {}).items():
                offer((title,), score)
        if tx.has_cjk(query):
            self._match_chinese(query, offer)
            self._match_pinyin(tx.full_pinyin(query), offer, with_initials=False)
        else:
            offer(self._english.get(query[:16]), CONTAINS)
            if tx.is_pinyin_like(query):
                self._match_pinyin(query, offer, with_initials=True)
        if scores:
            return scores, False
        self._match_fuzzy(query, offer)
        return scores, bool(scores)

    def _match_chinese(self, query: str, offer) -> None:
        grams = [query] if len(query) == 1 else [query[i:i + 2] for i in range(len(query) - 1)]
        postings = [self._ngrams.get(g) for g in grams]
        if all(postings):
            candidates = set.intersection(*sorted(postings, key=len))
            for title in candidates:
                fields = self._fields[title]
                if any(f.startswith(query) for f in fields):
                    offer((title,), PREFIX)
                elif any(query in f for f in fields):
                    offer((title,), CONTAINS)
        words = [w for w in tx.tokens(query) if len(w) >= 2 or tx.has_cjk(w)]
        main_words = [w for w in words if not any(w != other and w in other for other in words)]
        if len(main_words) >= 2:
            postings = [self._tokens.get(w) for w in main_words]
            if all(postings):
                offer(set.intersection(*sorted(postings, key=len)), TOKENS)

    def _match_pinyin(self, query: str, offer, *, with_initials: bool) -> None:
        if not query.isascii():
            return
        offer(self._pinyin.get("p=" + query), PINYIN_EXACT)
        self._offer_prefix("ps", query, PINYIN_START_CAP, PINYIN_START, offer)
        self._offer_prefix("pi", query, PINYIN_INNER_CAP, PINYIN_INNER, offer)
        if with_initials:
            offer(self._pinyin.get("i=" + query), INITIALS_EXACT)
            self._offer_prefix("is", query, INITIALS_START_CAP, INITIALS_START, offer)
            if len(query) >= 3:  # two inner initials match far too much to be useful
                self._offer_prefix("ii", query, INITIALS_INNER_CAP, INITIALS_INNER, offer)

    def _offer_prefix(self, kind: str, query: str, cap: int, score: int, offer) -> None:
        found = self._pinyin.get(f"{kind}:{query[:cap]}")
        if not found:
            return
        if len(query) <= cap:
            offer(found, score)
        elif kind in ("ps", "pi"):  # keys are capped: check a longer query against the title's own pinyin
            inner = kind == "pi"
            offer([t for t in found if any((query in p) if inner else p.startswith(query) for p in self._pinyins[t])],
                  score)

    def _match_fuzzy(self, query: str, offer) -> None:
        cjk = tx.has_cjk(query)
        if len(query) < (3 if cjk else 4):
            return
        cutoff = 66 if cjk else 80
        for term, similarity, _ in process.extract(query, self._fuzzy_list, scorer=fuzz.ratio,
                                                    score_cutoff=cutoff, limit=30):
            if tx.has_cjk(term) != cjk:
                continue
            score = FUZZY_MIN + int((similarity - cutoff) / (100 - cutoff) * (FUZZY_MAX - FUZZY_MIN))
            offer(self._fuzzy_terms[term], score)

    # ---- searching -------------------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        page, size = max(1, request.page), max(1, request.size)
        fuzzy = False
        if tx.normalize(request.text):
            scores, fuzzy = self.match_titles(request.text)
            if not scores:
                return SearchResult((), 0, page, size, False)
            titles = list(scores)
            docs = np.concatenate([self._postings[t] for t in titles])
            doc_scores = np.repeat(np.fromiter((scores[t] for t in titles), dtype=np.int64, count=len(titles)),
                                   [len(self._postings[t]) for t in titles])
        else:
            docs = self._by_rank
            doc_scores = None
        mask = self._filter_mask(docs, request)
        if mask is False:
            return SearchResult((), 0, page, size, fuzzy)
        if mask is not None:
            docs = docs[mask]
            doc_scores = doc_scores[mask] if doc_scores is not None else None
        total = int(docs.size)
        start = (page - 1) * size
        if start >= total:
            return SearchResult((), total, page, size, fuzzy)
        wanted = min(total, start + size)
        if doc_scores is None:  # browsing: documents are already in rank order
            chosen, chosen_scores = docs[start:wanted], np.zeros(wanted - start, dtype=np.int64)
        else:
            keys = doc_scores * (self.size + 1) + self._rank[docs]
            top = np.argpartition(-keys, wanted - 1)[:wanted] if wanted < total else np.arange(total)
            top = top[np.argsort(-keys[top], kind="stable")][start:wanted]
            chosen, chosen_scores = docs[top], doc_scores[top]
        hits = tuple(Hit(int(self._product_ids[d]), int(s)) for d, s in zip(chosen, chosen_scores, strict=True))
        return SearchResult(hits, total, page, size, fuzzy)

    def _filter_mask(self, docs: np.ndarray, request: SearchRequest):
        """Boolean mask over `docs`, None when nothing is filtered, False when nothing can match."""
        mask = None

        def both(extra):
            return extra if mask is None else mask & extra

        if not request.include_unsellable:
            mask = both(self._sellable[docs])
        if request.rx is not None:
            mask = both(self._rx[docs] == RX_CODES["rx"]) if request.rx else both(self._rx[docs] != RX_CODES["rx"])
        if request.insurance_only:
            mask = both(self._insurance[docs] != 0)
        if request.category:
            bit = self._category_bits.get(request.category)
            if bit is None:
                return False
            mask = both((self._cats[docs] & np.uint64(1 << bit)) != 0)
        if request.in_stock_ids is not None:
            if not request.in_stock_ids:
                return False
            wanted = np.fromiter(request.in_stock_ids, dtype=np.int64, count=len(request.in_stock_ids))
            mask = both(np.isin(self._product_ids[docs], wanted))
        return mask
