"""Times are stored in UTC and shown in the display time zone through one helper (core/dates.py)."""
from datetime import UTC, datetime

import pytest

from healthhub.core.dates import format_local
from healthhub.core.templating import environment

LATE_EVENING_UTC = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_a_utc_moment_is_shown_in_china_time():
    assert format_local(LATE_EVENING_UTC) == "2026-12-01 07:30"
    assert format_local(LATE_EVENING_UTC, "%m-%d %H:%M:%S") == "12-01 07:30:00"


def test_no_moment_reads_as_a_dash_and_a_naive_one_is_refused():
    assert format_local(None) == "—"
    with pytest.raises(ValueError):
        format_local(datetime(2026, 11, 30, 23, 30))


def test_templates_use_the_same_helper():
    rendered = environment.from_string('{{ at|local_time }} · {{ at|local_time("%H:%M") }}').render(at=LATE_EVENING_UTC)
    assert rendered == "2026-12-01 07:30 · 07:30"
