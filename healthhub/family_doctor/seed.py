"""Demo family-doctor packages (HealthHub 家庭医生 · 家医服务): idempotent by code."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.family_doctor.models import ServicePackage
from healthhub.family_doctor.schemas import PackageIn
from healthhub.family_doctor.service import save_package
from healthhub.seed.context import SeedContext

ORDER = 45

PACKAGES = (
    PackageIn(code="fd-personal", name="个人家庭医生·年卡", description="一对一签约全科医生，慢病随访与用药指导。",
              price_cents=29900, period_days=365, included_consultations=12, response_minutes=30, members_covered=1),
    PackageIn(code="fd-family", name="全家健康·家庭版", description="覆盖夫妻、子女与父母，专属医生团队，24小时在线。",
              price_cents=69900, period_days=365, included_consultations=36, response_minutes=15, members_covered=5),
    PackageIn(code="fd-chronic-90", name="慢病管理·季度包", description="高血压、糖尿病复诊续方与随访提醒。",
              price_cents=9900, period_days=90, included_consultations=6, response_minutes=60, members_covered=1),
)


def seed(session: Session, ctx: SeedContext) -> None:
    existing = set(session.execute(select(ServicePackage.code)).scalars())
    for package in PACKAGES:
        if package.code not in existing:
            save_package(session, data=package)
