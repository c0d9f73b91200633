"""The demo seed builds two clinics, memberships and a queue, and is idempotent."""
from pathlib import Path

from sqlalchemy import func, select

from healthhub.review import seed as review_seed
from healthhub.review.models import ReviewRecord, Tenant, TenantMember
from healthhub.seed.context import SeedContext


def test_seed_builds_tenants_members_and_queue_once(db, make_user):
    admin, _ = make_user("clinic_admin")
    pharmacist, _ = make_user("pharmacist")
    ctx = SeedContext(scale="small", seed=1, data_dir=Path("."),
                      shared={"users": {"clinic_admin": admin.id, "pharmacist": pharmacist.id}})
    review_seed.seed(db, ctx)
    review_seed.seed(db, ctx)
    tenants = db.execute(select(Tenant).order_by(Tenant.id)).scalars().all()
    assert [t.code for t in tenants] == ["yangguang-cs", "qingshan-clinic"]
    roles = set(db.execute(select(TenantMember.user_id, TenantMember.role)).all())
    assert (admin.id, "clinic_admin") in roles and (pharmacist.id, "pharmacist") in roles
    assert db.execute(select(func.count()).select_from(ReviewRecord)).scalar_one() == 12
    statuses = set(db.execute(select(ReviewRecord.status)).scalars())
    assert {"pending", "approved"} <= statuses
