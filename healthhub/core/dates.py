"""Calendar days as people in China count them: ages, practice years and retention periods follow the
calendar in Beijing, not UTC's (23:30 UTC is already the next day there).

Moments are stored as aware UTC and shown to people in `display_timezone` (Asia/Shanghai unless configured)
through `format_local`, the one formatter every page uses (the `|local_time` template filter)."""
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from healthhub.core.config import get_settings
from healthhub.core.db import utcnow

CHINA = ZoneInfo("Asia/Shanghai")


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CHINA).date()


def china_day_start(day: date) -> datetime:
    """The instant (aware UTC) China's calendar `day` begins."""
    return datetime.combine(day, time.min, CHINA).astimezone(UTC)


def full_years(start: date, today: date) -> int:
    years = today.year - start.year
    return years - ((today.month, today.day) < (start.month, start.day))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@lru_cache
def display_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().display_timezone)


def format_local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """An aware moment as people read it, in the display time zone; "—" when there is none.
    A naive moment is refused: it would silently be read as the server's local time."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        raise ValueError("format_local needs an aware datetime (times are stored as aware UTC)")
    return moment.astimezone(display_zone()).strftime(pattern)
