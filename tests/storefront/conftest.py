"""The storefront sells the curated catalogue: its tests share the catalogue tests' fixture."""
from tests.catalog.conftest import curated  # noqa: F401
