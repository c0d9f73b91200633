import pytest

from healthhub.core.config import get_settings
from healthhub.knowledge.service import get_knowledge_base


@pytest.fixture
def without_shared_data(tmp_path, monkeypatch):
    """The process KB as a clone without ../shared/data sees it (empty HEALTHHUB_DATA_DIR)."""
    monkeypatch.setenv("HEALTHHUB_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_knowledge_base.cache_clear()
    yield get_knowledge_base()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_knowledge_base.cache_clear()
