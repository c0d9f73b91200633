import pytest

from healthhub.catalog.importer import import_catalog
from healthhub.catalog.models import Product


@pytest.fixture
def curated(db, tmp_path):
    """The curated catalogue only (no shared data folder), priced."""
    import_catalog(db, tmp_path / "missing")
    db.commit()  # releases the savepoint only: the test's outer transaction is still rolled back
    return db


def product_id(db, code: str) -> int:
    return db.query(Product.id).filter(Product.source_key == f"curated:{code}").scalar()
