"""A result's dates, written in Python, read as the template's date filters would."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import timezone

from fansite.search.results import Result


@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul", "America/Los_Angeles"])
@pytest.mark.parametrize(
    "moment", [datetime(2026, 1, 31, 23, 30, tzinfo=UTC), datetime(2026, 5, 1, 3, 0, tzinfo=UTC)]
)
def test_dates_read_as_the_date_filter_would(zone, moment):
    templates = engines["django"]
    with timezone.override(zone):
        row = Result(kind="Comment", title="t", url="/", created_at=moment)
        shown = templates.from_string('{{ d|date:"j M Y" }}').render({"d": moment})
        machine = templates.from_string('{{ d|utc|date:"c" }}').render({"d": moment})
        assert row.created_text == shown
        assert row.created_utc == machine
