"""``<time>`` elements for server-rendered dates, written without the ``date`` filter.

A comment card shows two times, and the filter formats each in tens of microseconds:
a page of comments spent more on its dates than on its queries. These write the same
markup as ``<time datetime="{{ t|utc|date:"c" }}">{{ t|date:"j M Y, H:i" }}</time>``
(tests/web/test_times.py), the machine-readable time in UTC (base.html explains
why) and the shown one in the active time zone."""

from datetime import UTC

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html

register = template.Library()


def machine_time(value):
    """``value|utc|date:"c"``: for ``<time datetime>``, in UTC."""
    return value.astimezone(UTC).isoformat()


def shown_date(value):
    """``value|date:"j M Y"`` in the active time zone: "4 Dec 2026"."""
    local = timezone.localtime(value)
    return f"{local.day} {str(MONTHS_3[local.month]).title()} {local.year}"


def shown_time(value):
    """``value|date:"j M Y, H:i"`` in the active time zone: "4 Dec 2026, 05:41"."""
    local = timezone.localtime(value)
    return f"{shown_date(local)}, {local.hour:02d}:{local.minute:02d}"


@register.simple_tag
def time_element(value, css_class=""):
    """``<time class="…" datetime="UTC, ISO 8601">shown time</time>``."""
    machine = machine_time(value)
    if css_class:
        return format_html(
            '<time class="{}" datetime="{}">{}</time>', css_class, machine, shown_time(value)
        )
    return format_html('<time datetime="{}">{}</time>', machine, shown_time(value))
