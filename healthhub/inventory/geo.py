"""In-memory geo index of partner pharmacies (a KD-tree over unit-sphere coordinates, scipy cKDTree).

Built once per process and database from the pharmacy rows, and rebuilt when the database's
geo-version token changes (any pharmacy added or edited). A lookup costs a tree query plus the
exact haversine check of the few sites it returns, instead of a distance on every pharmacy.
"""
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class PharmacySite:
    location_id: int
    name: str
    lat: float
    lng: float
    delivery_radius_km: float
    opening_hours: dict[str, Any]
    cold_chain: bool
    insurance_designated: bool
    shipping_fee_cents: int


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _unit_vectors(lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
    lat, lng = np.radians(lats), np.radians(lngs)
    return np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))


def _chord(radius_km: float) -> float:
    """Straight-line distance through the sphere that matches a great-circle distance."""
    return 2 * math.sin(min(math.pi, radius_km / EARTH_RADIUS_KM) / 2)


def minutes_of(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def is_open(opening_hours: dict[str, Any], local_time: datetime) -> bool:
    """`opening_hours` maps weekday ("0" = Monday) to [["08:00", "22:00"], ...] in China local time;
    "24:00" closes at midnight. A day without entries is closed."""
    now_minutes = local_time.hour * 60 + local_time.minute
    return any(minutes_of(start) <= now_minutes < minutes_of(end)
               for start, end in opening_hours.get(str(local_time.weekday()), ()))


class PharmacyIndex:
    def __init__(self, sites: Sequence[PharmacySite]):
        self.sites = list(sites)
        self.max_radius_km = max((s.delivery_radius_km for s in self.sites), default=0.0)
        self._tree = cKDTree(_unit_vectors(np.array([s.lat for s in self.sites]),
                                           np.array([s.lng for s in self.sites]))) if self.sites else None

    def within(self, lat: float, lng: float, radius_km: float) -> list[tuple[PharmacySite, float]]:
        """Sites within `radius_km` of the point, with their distance, nearest first."""
        if self._tree is None:
            return []
        point = _unit_vectors(np.array([lat]), np.array([lng]))[0]
        found = []
        for index in self._tree.query_ball_point(point, _chord(radius_km) * 1.000001):
            site = self.sites[index]
            distance = haversine_km(lat, lng, site.lat, site.lng)
            if distance <= radius_km:
                found.append((site, distance))
        return sorted(found, key=lambda pair: (pair[1], pair[0].location_id))

    def delivering_to(self, lat: float, lng: float) -> list[tuple[PharmacySite, float]]:
        """Sites whose own delivery radius reaches the point."""
        return [(site, d) for site, d in self.within(lat, lng, self.max_radius_km) if d <= site.delivery_radius_km]


class IndexCache:
    """One index per database (tests use several in one process), replaced when the token changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str | None, PharmacyIndex]] = {}

    def get(self, database_key: str, token: str | None, build) -> PharmacyIndex:
        entry = self._entries.get(database_key)
        if entry is not None and entry[0] == token:
            return entry[1]
        with self._lock:
            entry = self._entries.get(database_key)
            if entry is None or entry[0] != token:
                entry = (token, PharmacyIndex(build()))
                self._entries[database_key] = entry
            return entry[1]
