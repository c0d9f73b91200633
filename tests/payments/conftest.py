"""A payable that belongs to no domain, so the payment mechanics are tested on their own: the tests open its
payments through the service, as a payable's owner does, and watch the events its owner would hear."""
import pytest

from healthhub.core.public_ids import as_json
from healthhub.payments import service as payments
from tests.factories import create_user_with_token

TEST_PAYABLE = "tests_payable"


@pytest.fixture
def payer(db) -> int:
    user, _ = create_user_with_token(db, role="patient")
    db.commit()  # a request that fails rolls back to here
    return user.id


def open_payment(db, payer_id: int, *, payable_id: int = 7, amount_cents: int = 5360) -> dict:
    """A payment as the owner's API shows it (public ids, redirect_url to the provider's page)."""
    view = payments.start_payment(db, payable_kind=TEST_PAYABLE, payable_id=payable_id, payer_id=payer_id,
                                  amount_cents=amount_cents, description="测试商品", reference=f"T-{payable_id}",
                                  provider_name="sandbox", return_url="/home")
    db.commit()  # committed by the owner's request
    return as_json(view)
