"""Text analysis for catalogue search: normalisation, jieba tokens, pinyin (full and initials).

Pure functions, no database. Product names are short (通用名 + 商品名), so the expensive parts
(jieba, pypinyin) run once per distinct name when the index is built, and once per query.
"""
import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z]")
_SEPARATORS = re.compile(r"[\s\-_/·•,，、.。;；:：()（）\[\]【】\"'“”‘’*×+]+")

_tokenizer = jieba.Tokenizer()
_tokenizer_lock = threading.Lock()
_known_words: set[str] = set()


def normalize(text: str | None) -> str:
    """Full-width to half-width, lower case, separators removed: what users type rarely matches exactly."""
    if not text:
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).lower())


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def has_latin(text: str) -> bool:
    return bool(_LATIN.search(text))


def is_pinyin_like(text: str) -> bool:
    """Only ASCII letters: may be full pinyin, initials or an English name."""
    return bool(text) and text.isascii() and text.isalpha()


def teach_words(words: set[str]) -> None:
    """Adds drug and brand names to jieba's dictionary so `布洛芬缓释胶囊` splits into `布洛芬|缓释|胶囊`."""
    new = {w for w in words if w and len(w) >= 2 and w not in _known_words}
    if not new:
        return
    with _tokenizer_lock:
        for word in new:
            _tokenizer.add_word(word, freq=50_000)
        _known_words.update(new)
        tokens.cache_clear()


@lru_cache(maxsize=65_536)
def tokens(text: str) -> tuple[str, ...]:
    """jieba search-mode tokens of a normalised text (also the sub-words of long words), deduplicated."""
    if not text:
        return ()
    seen: dict[str, None] = {}
    for token in _tokenizer.lcut_for_search(text):
        token = token.strip()
        if token:
            seen[token] = None
    return tuple(seen)


@lru_cache(maxsize=65_536)
def syllables(text: str) -> tuple[str, ...]:
    """Pinyin syllables of the Chinese characters; latin letters and digits stay as they are."""
    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: [s]):
        chunk = chunk.strip()
        if chunk:
            parts.append(chunk.replace("ü", "v"))
    return tuple(parts)


def full_pinyin(text: str) -> str:
    return "".join(syllables(text))


def initials(text: str) -> str:
    """`布洛芬` -> `blf`; non-Chinese chunks keep only their first character."""
    return "".join(s[0] for s in syllables(text) if s)


def syllable_suffixes(text: str) -> list[tuple[str, str, int]]:
    """(pinyin from syllable i, initials from syllable i, i) for every syllable start.

    Users type a name from its start (`buluofen`), or a later word (`huanshi` for 缓释), but never
    from inside a syllable, so only syllable boundaries are indexed.
    """
    parts = syllables(text)
    return [("".join(parts[i:]), "".join(p[0] for p in parts[i:]), i) for i in range(len(parts))]


_WORDS = re.compile(r"[a-z0-9]+")


def normalize_words(text: str | None) -> tuple[str, ...]:
    """Latin words of an English name, lower case (`Ibuprofen Sustained-release` -> ibuprofen sustained release)."""
    if not text:
        return ()
    return tuple(_WORDS.findall(unicodedata.normalize("NFKC", text).lower()))
