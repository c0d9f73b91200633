"""Family-doctor use cases. Payment seam: `confirm_payment` is what a captured payment of the purchase calls
(purchases.py, on the payments domain's event); nothing takes effect before it. Whenever a contract starts,
extends or expires, the patient registry learns until when each member is covered (IDT-01: the internet
hospital admits a covered patient without an earlier diagnosis)."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from healthhub.family_doctor import rules
from healthhub.family_doctor.errors import ErrorCode
from healthhub.family_doctor.models import EntitlementUse, Purchase, ServicePackage, Subscription
from healthhub.family_doctor.schemas import PackageIn, SubscriptionOut
from healthhub.patients import service as patients


def list_packages(session: Session, *, active_only: bool = True) -> list[ServicePackage]:
    query = select(ServicePackage).order_by(ServicePackage.price_cents, ServicePackage.id)
    if active_only:
        query = query.where(ServicePackage.active.is_(True))
    return list(session.execute(query).scalars())


def get_package(session: Session, *, package_id: int) -> ServicePackage:
    package = session.get(ServicePackage, package_id)
    if package is None:
        raise NotFound("服务包不存在 / package not found", code=ErrorCode.FD_PACKAGE_NOT_FOUND)
    return package


def save_package(session: Session, *, data: PackageIn, package_id: int | None = None) -> ServicePackage:
    clash = session.execute(select(ServicePackage).where(ServicePackage.code == data.code)).scalar_one_or_none()
    if clash is not None and clash.id != package_id:
        raise Conflict(f"服务包编码 {data.code} 已存在 / code already used", code=ErrorCode.FD_PACKAGE_CODE_TAKEN)
    package = get_package(session, package_id=package_id) if package_id else ServicePackage()
    before = {"price_cents": package.price_cents, "active": package.active} if package_id else None
    for field, value in data.model_dump().items():
        setattr(package, field, value)
    session.add(package)
    session.flush()
    audit.record(session, action="family_doctor.package.save", entity_type="fd_package", entity_id=package.id,
                 detail={"before": before, "after": data.model_dump()})
    return package


def subscription_out(session: Session, *, sub: Subscription) -> SubscriptionOut:
    package = get_package(session, package_id=sub.package_id)
    return SubscriptionOut(id=sub.id, account_user_id=sub.account_user_id, package_id=sub.package_id,
                           package_name=package.name, status=sub.status, member_patient_ids=sub.member_patient_ids,
                           starts_at=sub.starts_at, ends_at=sub.ends_at, consultations_total=sub.consultations_total,
                           consultations_used=sub.consultations_used,
                           consultations_left=max(0, sub.consultations_total - sub.consultations_used),
                           response_minutes=package.response_minutes)


def list_subscriptions(session: Session, *, account_user_id: int) -> list[Subscription]:
    return list(session.execute(select(Subscription).where(Subscription.account_user_id == account_user_id)
                                .order_by(Subscription.id.desc())).scalars())


def pending_purchases(session: Session, *, subscription_ids: list[int]) -> dict[int, Purchase]:
    if not subscription_ids:
        return {}
    rows = session.execute(select(Purchase).where(Purchase.subscription_id.in_(subscription_ids),
                                                  Purchase.status == "PENDING").order_by(Purchase.id)).scalars()
    return {p.subscription_id: p for p in rows}


def _own_subscription(session: Session, account_user_id: int, subscription_id: int) -> Subscription:
    sub = session.get(Subscription, subscription_id, with_for_update=True)
    if sub is None or sub.account_user_id != account_user_id:  # another account's contract looks missing
        raise NotFound("签约不存在 / subscription not found", code=ErrorCode.FD_SUBSCRIPTION_NOT_FOUND)
    return sub


def _purchase(session: Session, sub: Subscription, package: ServicePackage, kind: str) -> Purchase:
    purchase = Purchase(subscription_id=sub.id, kind=kind, amount_cents=package.price_cents,
                        period_days=package.period_days, consultations=package.included_consultations,
                        status="PENDING")
    session.add(purchase)
    session.flush()
    audit.record(session, action=f"family_doctor.{kind}", entity_type="fd_purchase", entity_id=purchase.id,
                 detail={"subscription_id": sub.id, "package": package.code, "amount_cents": purchase.amount_cents})
    return purchase


def subscribe(session: Session, *, account_user_id: int, package_id: int, member_patient_ids: list[int]) -> Purchase:
    package = get_package(session, package_id=package_id)
    if not package.active:
        raise RuleViolation("该服务包已下架 / this package is no longer offered", code=ErrorCode.FD_PACKAGE_INACTIVE)
    members = sorted(set(member_patient_ids))
    own = {p.id for p in patients.list_patients_of_account(session, account_user_id=account_user_id)}
    if not set(members) <= own:
        raise Forbidden("只能为本账户的就诊人签约 / members must be patients of your account", code=ErrorCode.FD_FOREIGN_MEMBER)
    if len(members) > package.members_covered:
        raise RuleViolation(f"该服务包最多覆盖 {package.members_covered} 位家庭成员 / covers at most "
                            f"{package.members_covered} members", code=ErrorCode.FD_TOO_MANY_MEMBERS)
    running = session.execute(select(Subscription.id).where(
        Subscription.account_user_id == account_user_id, Subscription.package_id == package_id,
        Subscription.status.in_(("ACTIVE", "PENDING_PAYMENT")))).first()
    if running:
        raise Conflict("您已签约该服务包，请使用续费 / already subscribed: renew instead", code=ErrorCode.FD_ALREADY_SUBSCRIBED)
    sub = Subscription(account_user_id=account_user_id, package_id=package_id, status="PENDING_PAYMENT",
                       member_patient_ids=members)
    session.add(sub)
    session.flush()
    return _purchase(session, sub, package, "subscribe")


def renew(session: Session, *, account_user_id: int, subscription_id: int) -> Purchase:
    sub = _own_subscription(session, account_user_id, subscription_id)
    if sub.status == "PENDING_PAYMENT":
        raise RuleViolation("请先完成首次支付 / pay the first purchase before renewing", code=ErrorCode.FD_NOT_PAID)
    return _purchase(session, sub, get_package(session, package_id=sub.package_id), "renew")


def confirm_payment(session: Session, *, purchase_id: int, payment_ref: str, now: datetime) -> Purchase:
    """The payment seam. Subscribe starts the period now; renew extends it from the current end."""
    purchase = session.get(Purchase, purchase_id, with_for_update=True)
    if purchase is None:
        raise NotFound("支付单不存在 / purchase not found", code=ErrorCode.FD_PURCHASE_NOT_FOUND)
    if purchase.status == "PAID":
        if purchase.payment_ref == payment_ref:
            return purchase
        raise Conflict("该支付单已支付 / already paid", code=ErrorCode.FD_ALREADY_PAID)
    sub = session.get(Subscription, purchase.subscription_id, with_for_update=True)
    start, end = rules.renewed_period(sub.ends_at if purchase.kind == "renew" else None, now, purchase.period_days)
    if sub.status != "ACTIVE" or sub.starts_at is None:
        sub.starts_at = start
    sub.ends_at, sub.status = end, "ACTIVE"
    sub.consultations_total += purchase.consultations
    purchase.status, purchase.payment_ref, purchase.paid_at = "PAID", payment_ref, now
    session.flush()
    _share_cover(session, sub)
    audit.record(session, action="family_doctor.payment", entity_type="fd_purchase", entity_id=purchase.id,
                 detail={"amount_cents": purchase.amount_cents, "payment_ref": payment_ref,
                         "subscription_id": sub.id, "ends_at": sub.ends_at})
    return purchase


def _entitlement(sub: Subscription) -> rules.Entitlement:
    return rules.Entitlement(sub.status, sub.ends_at, sub.consultations_total, sub.consultations_used)


def _covering(session: Session, account_user_id: int, patient_id: int, *, lock: bool = False) -> list[Subscription]:
    # Soonest end first: spend the contract that lapses first, so fewer included consultations expire unused.
    query = (select(Subscription).where(Subscription.account_user_id == account_user_id)
             .order_by(Subscription.ends_at, Subscription.id))
    if lock:
        query = query.with_for_update()
    return [sub for sub in session.execute(query).scalars() if patient_id in sub.member_patient_ids]


def _share_cover(session: Session, sub: Subscription) -> None:
    """Tells the patient registry, for each member of `sub`, the end of the paid periods covering them: a
    contract runs while it is ACTIVE and its end lies ahead (`rules.is_running`), and the expiry job marks
    every ended one EXPIRED, so the latest end of the ACTIVE ones is the whole story."""
    for patient_id in sub.member_patient_ids:
        ends = [other.ends_at for other in _covering(session, sub.account_user_id, patient_id)
                if other.status == "ACTIVE" and other.ends_at is not None]
        patients.record_family_contract(session, patient_id=patient_id, until=max(ends, default=None))


def consume_for_consultation(session: Session, *, account_user_id: int, patient_id: int, consultation_id: int,
                             now: datetime) -> EntitlementUse | None:
    """Consumes one included consultation for a hospital consultation just requested (idempotent per
    consultation). None when no contract covers the patient or none has any left: the consultation then
    goes ahead as an ordinary one; it is never refused here."""
    done = session.execute(select(EntitlementUse).where(EntitlementUse.consultation_id == consultation_id)
                           ).scalar_one_or_none()
    if done is not None:
        return done
    for sub in _covering(session, account_user_id, patient_id, lock=True):
        if rules.use_refusal(_entitlement(sub), now) is not None:
            continue
        sub.consultations_used += 1
        use = EntitlementUse(subscription_id=sub.id, patient_id=patient_id, consultation_id=consultation_id,
                             used_at=now, detail={"left": sub.consultations_total - sub.consultations_used})
        session.add(use)
        session.flush()
        audit.record(session, action="family_doctor.use", entity_type="fd_subscription", entity_id=sub.id,
                     detail={"patient_id": patient_id, "consultation_id": consultation_id})
        return use
    return None


def release_for_consultation(session: Session, *, consultation_id: int, now: datetime) -> EntitlementUse | None:
    """A request cancelled while it waited in the queue (no care given) gives its included consultation back."""
    use = session.execute(select(EntitlementUse).where(EntitlementUse.consultation_id == consultation_id)
                          .with_for_update()).scalar_one_or_none()
    if use is None or use.released_at is not None:
        return use
    sub = session.get(Subscription, use.subscription_id, with_for_update=True)
    sub.consultations_used -= 1
    use.released_at = now
    session.flush()
    audit.record(session, action="family_doctor.release", entity_type="fd_subscription", entity_id=sub.id,
                 detail={"patient_id": use.patient_id, "consultation_id": consultation_id})
    return use


def uses_of(session: Session, *, subscription_ids: list[int]) -> list[EntitlementUse]:
    if not subscription_ids:
        return []
    return list(session.execute(select(EntitlementUse).where(EntitlementUse.subscription_id.in_(subscription_ids))
                                .order_by(EntitlementUse.used_at.desc(), EntitlementUse.id.desc())).scalars())


def expire_subscriptions(session: Session, *, now: datetime) -> int:
    rows = session.execute(select(Subscription).where(Subscription.status == "ACTIVE", Subscription.ends_at <= now)
                           .with_for_update()).scalars().all()
    for sub in rows:
        sub.status = "EXPIRED"
        audit.record(session, action="family_doctor.expire", entity_type="fd_subscription", entity_id=sub.id,
                     detail={"ends_at": sub.ends_at})
    session.flush()
    for sub in rows:
        _share_cover(session, sub)
    return len(rows)
