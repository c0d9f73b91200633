from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthhub.inventory.fefo import BatchStock, Shortfall, allocatable_quantity, allocate, is_sellable

TODAY = date(2026, 11, 25)


def test_earliest_expiry_first_and_split_over_batches():
    batches = [BatchStock(1, TODAY + timedelta(days=300), 10), BatchStock(2, TODAY + timedelta(days=60), 4),
               BatchStock(3, TODAY + timedelta(days=120), 5)]
    result = allocate(batches, 7, today=TODAY)
    assert [(a.batch_id, a.quantity) for a in result] == [(2, 4), (3, 3)]


def test_expired_and_near_expiry_batches_are_never_allocated():
    batches = [BatchStock(1, TODAY - timedelta(days=1), 50), BatchStock(2, TODAY + timedelta(days=29), 50),
               BatchStock(3, TODAY + timedelta(days=30), 2)]
    assert allocatable_quantity(batches, today=TODAY) == 2
    with pytest.raises(Shortfall) as caught:
        allocate(batches, 3, today=TODAY)
    assert (caught.value.requested, caught.value.allocatable) == (3, 2)


def test_min_shelf_life_is_configurable_but_expired_stays_unsellable_at_zero():
    assert is_sellable(TODAY, today=TODAY, min_shelf_life_days=0)
    assert not is_sellable(TODAY - timedelta(days=1), today=TODAY, min_shelf_life_days=0)
    assert not is_sellable(TODAY + timedelta(days=89), today=TODAY, min_shelf_life_days=90)


def test_same_expiry_goes_to_the_older_batch_first():
    expiry = TODAY + timedelta(days=100)
    assert allocate([BatchStock(9, expiry, 5), BatchStock(4, expiry, 5)], 5, today=TODAY)[0].batch_id == 4


batch_lists = st.lists(st.builds(BatchStock, batch_id=st.integers(1, 10_000),
                                 expiry_date=st.dates(TODAY - timedelta(days=60), TODAY + timedelta(days=400)),
                                 available=st.integers(0, 40)),
                       max_size=12, unique_by=lambda b: b.batch_id)


@settings(deadline=None)  # timing belongs in benchmarks, not tests
@given(batches=batch_lists, quantity=st.integers(1, 200), shelf_life=st.integers(0, 120))
def test_allocation_properties(batches, quantity, shelf_life):
    by_id = {b.batch_id: b for b in batches}
    sellable_total = allocatable_quantity(batches, today=TODAY, min_shelf_life_days=shelf_life)
    try:
        result = allocate(batches, quantity, today=TODAY, min_shelf_life_days=shelf_life)
    except Shortfall as short:
        assert short.allocatable == sellable_total < quantity
        return
    assert sum(a.quantity for a in result) == quantity
    for allocation in result:
        batch = by_id[allocation.batch_id]
        assert 0 < allocation.quantity <= batch.available
        assert batch.expiry_date >= TODAY + timedelta(days=shelf_life)  # never expired or near expiry
    assert len({a.batch_id for a in result}) == len(result)
    # FEFO: any sellable batch expiring before the last one used was used up completely.
    last = max(a.expiry_date for a in result)
    used = {a.batch_id: a.quantity for a in result}
    for batch in batches:
        if batch.available and TODAY + timedelta(days=shelf_life) <= batch.expiry_date < last:
            assert used.get(batch.batch_id) == batch.available
