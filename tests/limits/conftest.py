import datetime
import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.threads.factories import ThreadFactory
from tests.users.factories import UserFactory


def page_text(response):
    """The response body with HTML entities decoded: "You're" rather than "You&#x27;re"."""
    return html.unescape(response.content.decode())


def set_rates(settings, action, *rates):
    """Give ``action`` exactly ``rates``, leaving the other actions' defaults alone."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: list(rates)}


def comment_url(target, kind="thread"):
    return reverse("comments:comment_create", kwargs={"kind": kind, "pk": target.pk})


def thread_create_url(slug="general"):
    return reverse("threads:thread_create", args=[slug])


def noon_tomorrow(second=0):
    """A fixed time of day ahead of the real clock, for time_machine: travelling
    forward keeps every row created before the jump in the past."""
    tomorrow = timezone.now().astimezone(datetime.UTC) + timedelta(days=1)
    return tomorrow.replace(hour=12, minute=0, second=second, microsecond=0)


def established(**kwargs):
    """A member past the new-account period."""
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


@pytest.fixture
def member(db):
    return established(username="onjo")


@pytest.fixture
def newcomer(db):
    """A member who signed up a moment ago."""
    return UserFactory(username="newbie")


@pytest.fixture
def thread(db):
    return ThreadFactory(author=established(), title="Class 2-5 survivors")
