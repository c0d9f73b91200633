"""The process-wide knowledge base other domains use: `get_knowledge_base()`."""
from functools import lru_cache

from healthhub.core.config import get_settings
from healthhub.knowledge.builder import build_knowledge_base
from healthhub.knowledge.kb import KnowledgeBase


@lru_cache(maxsize=1)
def get_knowledge_base() -> KnowledgeBase:
    """Built on first use from the curated tables plus HEALTHHUB_DATA_DIR when present; cached per process.

    Tests that change the data directory call `get_settings.cache_clear()` and
    `get_knowledge_base.cache_clear()`.
    """
    return build_knowledge_base(get_settings().data_dir)
