"""The search index follows catalogue writes: at once for a small catalogue, in the background (searches
keep the previous index meanwhile) for a large one."""
import threading
import time

from healthhub.catalog import service
from healthhub.catalog.schemas import ProductCreate
from healthhub.catalog.search import SearchRequest


def _add(database, name: str) -> int:
    with database.session_scope() as session:
        return service.create_product(session, data=ProductCreate(
            kind="health", generic_name=name, manufacturer="测试厂家", category="营养保健",
            list_price_cents=1990)).id


def _found(database, text: str) -> set[int]:
    with database.session_scope() as session:
        products, _ = service.search_products(session, request=SearchRequest(text=text, page=1, size=50))
        return {p.id for p in products}


def _wait_for_rebuilds(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while any(t.name == "catalog-index-rebuild" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "background rebuild did not finish"
        time.sleep(0.05)


def test_small_catalogue_is_searchable_right_after_a_write(committed_db):
    first = _add(committed_db, "鱼油软胶囊甲")
    assert first in _found(committed_db, "鱼油")
    second = _add(committed_db, "鱼油软胶囊乙")
    assert {first, second} <= _found(committed_db, "鱼油")


def test_large_catalogue_keeps_serving_the_old_index_while_the_new_one_builds(committed_db, monkeypatch):
    first = _add(committed_db, "钙片维D甲")
    assert first in _found(committed_db, "钙片")
    monkeypatch.setattr(service, "SYNC_REBUILD_MAX_DOCS", 0)
    second = _add(committed_db, "钙片维D乙")
    assert _found(committed_db, "钙片") == {first}  # answered from the previous index, without waiting
    _wait_for_rebuilds()
    assert {first, second} <= _found(committed_db, "钙片")
