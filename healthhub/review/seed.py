"""Demo cloud-review tenants: two community clinics, the demo clinic admin managing the first,
the demo pharmacist assigned to both, and a realistic queue of clinic prescriptions reviewed by
the real engine (a few already decided, so the SLA page has figures). `--scale large` adds
bulk history for benchmarks."""
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.identity.service import principals_by_id
from healthhub.review import service, workbench
from healthhub.review import tenants as tenant_service
from healthhub.review.decisions import Source, Status
from healthhub.review.engine import review as run_engine
from healthhub.review.models import ReviewRecord, Tenant
from healthhub.review.policies import Caller
from healthhub.review.schemas import ReviewRequest
from healthhub.seed.context import SeedContext
from healthhub.seed.people import SURNAMES

ORDER = 60
TENANTS = (("yangguang-cs", "阳光社区卫生服务站"), ("qingshan-clinic", "青山社区诊所"))
LARGE_HISTORY = 20_000


def _item(drug, mg, times=1, days=7, route="oral"):
    return {"drug": drug, "dose_mg": mg, "times_per_day": times, "route": route, "days": days}


# Typical community-clinic prescriptions: chronic refills, common infections, a few problem cases.
PRESCRIPTIONS = (
    ({"age_years": 67, "sex": "M", "weight_kg": 72, "conditions": ["I10"]}, ["I10"], [_item("氨氯地平", 5)]),
    ({"age_years": 58, "sex": "F", "weight_kg": 61}, ["I10", "E78.0"], [_item("氨氯地平", 5), _item("辛伐他汀", 40)]),
    ({"age_years": 34, "sex": "F", "weight_kg": 55, "allergies": ["青霉素"]}, ["J02.9"],
     [_item("阿莫西林", 500, 3, 5)]),
    ({"age_years": 45, "sex": "M", "weight_kg": 80}, ["M79.1"], [_item("布洛芬", 400, 3, 3), _item("双氯芬酸", 50, 2, 3)]),
    ({"age_years": 71, "sex": "F", "weight_kg": 58, "conditions": ["I10"]}, ["I10"], [_item("氨氯地平", 5, days=14)]),
    ({"age_years": 52, "sex": "M", "weight_kg": 76}, ["I25.1", "K21.0"], [_item("氯吡格雷", 75), _item("奥美拉唑", 20)]),
    ({"age_years": 29, "sex": "M", "weight_kg": 68}, ["J06.9"], [_item("对乙酰氨基酚", 500, 3, 3)]),
)


def _tenant(session: Session, code: str, name: str) -> tuple[Tenant, bool]:
    existing = session.execute(select(Tenant).where(Tenant.code == code)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    tenant, _key, _secret = tenant_service.create_tenant(session, code=code, name=name, webhook_url=None,
                                                         auto_approve_pass=False, actor_user_id=None)
    return tenant, True


def _username(session: Session, user_id: int) -> str:
    return principals_by_id(session, user_ids=[user_id])[user_id].username


def seed(session: Session, ctx: SeedContext) -> None:
    users = ctx.shared.get("users", {})
    rng = ctx.rng("review")
    first, created = _tenant(session, *TENANTS[0])
    second, _ = _tenant(session, *TENANTS[1])
    if not created:
        return
    if "clinic_admin" in users:
        tenant_service.add_member(session, tenant=first, username=_username(session, users["clinic_admin"]),
                                  role="clinic_admin")
    pharmacist_id = users.get("pharmacist")
    if pharmacist_id is not None:
        for tenant in (first, second):
            tenant_service.add_member(session, tenant=tenant, username=_username(session, pharmacist_id),
                                      role="pharmacist")
    now = utcnow()
    for n in range(12):
        tenant = first if n % 3 else second
        patient, diagnoses, items = PRESCRIPTIONS[n % len(PRESCRIPTIONS)]
        label = f"{rng.choice(SURNAMES)}*（{'男' if patient['sex'] == 'M' else '女'}，{int(patient['age_years'])}岁）"
        record = service.submit(session, request=ReviewRequest.model_validate(
            {"patient": patient, "diagnoses": diagnoses, "items": items}), submission=service.Submission(
            source=Source.CLINIC, tenant=tenant, source_ref=f"MZ{20261100 + n:08d}", patient_ref=f"P{1000 + n}",
            patient_label=label))
        record.queued_at = now - timedelta(minutes=rng.randint(3, 90))
        if pharmacist_id is not None and n < 4 and record.verdict == "pass":
            caller = Caller(role="pharmacist", user_id=pharmacist_id)
            workbench.approve(session, caller=caller, record=record, note=None)
    session.flush()
    if ctx.large:
        _bulk_history(session, ctx, first, pharmacist_id)


def _bulk_history(session: Session, ctx: SeedContext, tenant: Tenant, pharmacist_id: int | None) -> None:
    """Decided history for benchmarks: engine output computed once per template, rows bulk-inserted."""
    rng = ctx.rng("review-large")
    templates = []
    for patient, diagnoses, items in PRESCRIPTIONS:
        request = ReviewRequest.model_validate({"patient": patient, "diagnoses": diagnoses, "items": items})
        response = run_engine(request)
        templates.append((request.model_dump(mode="json", exclude_none=True), response.model_dump(mode="json")))
    now = utcnow()
    rows = []
    for n in ctx.progress(range(LARGE_HISTORY), length=LARGE_HISTORY, label="review history"):
        request, response = templates[n % len(templates)]
        created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 30))
        decided = pharmacist_id is not None and response["verdict"] != "reject"
        rows.append({"tenant_id": tenant.id, "source": Source.CLINIC.value, "source_ref": f"H{n:07d}",
                     "patient_ref": f"P{rng.randint(1, 5000)}", "request": request, "response": response,
                     "overrides_applied": [], "verdict": response["verdict"], "kb_version": response["kb_version"],
                     "engine_us": 100, "created_at": created, "queued_at": created,
                     "status": (Status.APPROVED if decided else Status.RETURNED).value,
                     "decided_at": created + timedelta(minutes=rng.randint(2, 45)),
                     "decided_by_user_id": pharmacist_id, "double_signed": False})
        if len(rows) == 2000:
            session.execute(insert(ReviewRecord), rows)
            rows = []
    if rows:
        session.execute(insert(ReviewRecord), rows)
