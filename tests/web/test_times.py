"""The ``<time>`` tag writes what the date filters would."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import timezone

FILTERS = (
    '<time{% if css %} class="{{ css }}"{% endif %} datetime="{{ t|utc|date:"c" }}">'
    '{{ t|date:"j M Y, H:i" }}</time>'
)
TAG = "{% load times %}{% time_element t css %}"


@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul", "America/Los_Angeles", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 1, 31, 23, 5, 9, 123456, tzinfo=UTC),
        datetime(2026, 5, 1, 3, 0, tzinfo=UTC),
        datetime(2022, 1, 28, 8, 0, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize("css", ["", "comment__time"])
def test_the_tag_writes_what_the_filters_would(zone, moment, css):
    templates = engines["django"]
    with timezone.override(zone):
        context = {"t": moment, "css": css}
        expected = templates.from_string("{% load tz %}" + FILTERS).render(context)
        assert templates.from_string(TAG).render(context) == expected
