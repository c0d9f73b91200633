"""Calendar days as people in China count them: ages, practice years and retention periods follow the
calendar in Beijing, not UTC's (23:30 UTC is already the next day there)."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

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
