"""Stock locations: self-operated warehouses, merchant stores and partner pharmacies, plus the
per-process pharmacy geo index kept in step with them."""
import json
import re
import uuid
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.errors import AppError, NotFound
from healthhub.identity.service import Principal
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.geo import IndexCache, PharmacyIndex, PharmacySite, minutes_of
from healthhub.inventory.models import GeoIndexVersion, Location
from healthhub.inventory.policies import can_manage_location

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
_cache = IndexCache()
MUNICIPALITY_PREFIXES = ("11", "12", "31", "50")
LATEST_CUTOFF_HOUR = 20  # same-day parcels are promised by 22:00


def city_of(adcode: str) -> str:
    """Any 6-digit division code -> its prefecture-level city code (municipalities: xx0000)."""
    if not re.fullmatch(r"\d{6}", adcode or ""):
        raise AppError("行政区划代码须为6位数字 / adcode must be 6 digits", code=ErrorCode.INVALID_ADCODE)
    return adcode[:2] + "0000" if adcode[:2] in MUNICIPALITY_PREFIXES else adcode[:4] + "00"


def validate_opening_hours(hours: dict[str, Any]) -> dict[str, list[list[str]]]:
    clean: dict[str, list[list[str]]] = {}
    for day, ranges in hours.items():
        if day not in {str(d) for d in range(7)}:
            raise AppError(f"营业时间的星期须为0–6（0=周一），收到 {day} / weekday must be 0-6", code=ErrorCode.INVALID_HOURS)
        clean[day] = []
        for start, end in ranges:
            if not (_TIME.match(start) and _TIME.match(end)) or minutes_of(start) >= minutes_of(end):
                raise AppError(f"营业时间 {start}–{end} 无效 / opening hours must be HH:MM with start before end",
                               code=ErrorCode.INVALID_HOURS)
            clean[day].append([start, end])
    return clean


def _bump_geo_version(session: Session) -> None:
    row = session.get(GeoIndexVersion, 1)
    if row is None:
        session.add(GeoIndexVersion(id=1, token=uuid.uuid4().hex))
    else:
        row.token = uuid.uuid4().hex


def add_location(session: Session, **fields: Any) -> Location:
    """Creates a location of any kind (warehouse, merchant, pharmacy) after validating the kind's fields."""
    kind = fields.get("kind")
    fields["city_adcode"] = city_of(fields["city_adcode"])
    if kind == "warehouse":
        fields["covered_city_adcodes"] = sorted({city_of(c) for c in fields.get("covered_city_adcodes", [])}
                                                | {fields["city_adcode"]})
        if not 0 <= fields.get("same_day_cutoff_hour", -1) <= LATEST_CUTOFF_HOUR:
            raise AppError("仓库须设置0–20点的当日达截单时间 / cutoff hour 0-20 required", code=ErrorCode.INVALID_CUTOFF)
    elif kind == "merchant":
        fields.setdefault("ship_days_min", 2)
        fields.setdefault("ship_days_max", 4)
        if not 1 <= fields["ship_days_min"] <= fields["ship_days_max"]:
            raise AppError("发货天数范围无效 / invalid shipping days", code=ErrorCode.INVALID_SHIP_DAYS)
    elif kind == "pharmacy":
        fields["opening_hours"] = validate_opening_hours(fields.get("opening_hours") or {})
        if not (fields.get("delivery_radius_km") or 0) > 0 or fields.get("lat") is None or fields.get("lng") is None:
            raise AppError("合作药房须有坐标和配送半径 / pharmacies need coordinates and a delivery radius",
                           code=ErrorCode.INVALID_PHARMACY)
    else:
        raise AppError("地点类型须为 warehouse / merchant / pharmacy", code=ErrorCode.INVALID_LOCATION_KIND)
    location = Location(**fields)
    session.add(location)
    session.flush()
    if kind == "pharmacy":
        _bump_geo_version(session)
    audit.record(session, action="inventory.location.create", entity_type="inventory_location",
                 entity_id=location.id, detail={"kind": kind, "code": location.code, "name": location.name})
    return location


def bulk_add_pharmacies(session: Session, *, rows: list[dict[str, Any]]) -> None:
    """Benchmark-scale insert (seed --scale large): plain rows, one geo-version bump."""
    session.execute(Location.__table__.insert(), rows)
    _bump_geo_version(session)


def get_location(session: Session, *, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("发货点不存在 / stock location not found", code=ErrorCode.LOCATION_NOT_FOUND)
    return location


def managed_location(session: Session, *, principal: Principal, location_id: int) -> Location:
    """Merchants and partner pharmacies manage their own locations only; operators manage all. Another
    owner's location answers like a missing one, so that location ids cannot be probed."""
    location = get_location(session, location_id=location_id)
    if not can_manage_location(principal, location):
        raise NotFound("发货点不存在 / stock location not found", code=ErrorCode.LOCATION_NOT_FOUND)
    return location


def locations_of(session: Session, *, owner_user_id: int) -> list[Location]:
    return list(session.execute(select(Location).where(Location.owner_user_id == owner_user_id)
                                .order_by(Location.id)).scalars())


def pharmacy_index(session: Session) -> PharmacyIndex:
    row = session.get(GeoIndexVersion, 1)
    bind = session.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True) if hasattr(bind, "engine") else str(bind.url)

    def build() -> list[PharmacySite]:
        # Opening hours are read raw and decoded once per distinct timetable: most pharmacies share a
        # handful of them, and decoding 200,000 JSON documents one by one dominates the build.
        rows = session.execute(select(
            Location.id, Location.name, Location.lat, Location.lng, Location.delivery_radius_km,
            type_coerce(Location.opening_hours, String), Location.cold_chain, Location.insurance_designated,
            Location.shipping_fee_cents,
        ).where(Location.kind == "pharmacy", Location.is_active.is_(True)))
        timetables: dict[str, dict] = {}

        def hours(raw) -> dict:
            if not isinstance(raw, str):  # drivers that decode JSON themselves (psycopg)
                return raw
            if raw not in timetables:
                timetables[raw] = json.loads(raw)
            return timetables[raw]

        return [PharmacySite(row[0], row[1], row[2], row[3], row[4], hours(row[5]), *row[6:]) for row in rows]

    return _cache.get(key, row.token if row else None, build)
