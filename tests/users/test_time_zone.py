"""Times in the reader's time zone: members choose one in Settings → Profile, the
server renders their pages in it, and <time datetime> attributes stay in UTC.
Visitors get UTC from the server (static/js/local-time.js shows the browser's)."""

import re
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from fansite.users.models import User
from tests.threads.factories import ThreadFactory

from .factories import UserFactory

pytestmark = pytest.mark.django_db

# 15:30 UTC on 1 January is 00:30 on 2 January in Seoul and 10:30 in New York.
POSTED_AT = datetime(2026, 1, 1, 15, 30, tzinfo=UTC)
UTC_ATTRIBUTE = 'datetime="2026-01-01T15:30:00+00:00"'


@pytest.fixture
def thread():
    with time_machine.travel(POSTED_AT, tick=False):
        return ThreadFactory(title="Which class president was the best?")


def member_client(**fields):
    member = UserFactory(**fields)
    client = Client()
    client.force_login(member)
    return client, member


def profile_data(member, **changes):
    return {
        "display_name": member.display_name,
        "bio": member.bio,
        "watched_up_to": member.watched_up_to,
        "time_zone": member.time_zone,
        **changes,
    }


def test_the_settings_form_offers_iana_zones_and_the_browsers_by_default():
    client, _member = member_client()

    response = client.get(reverse("users:profile_edit"))

    assert response.status_code == HTTPStatus.OK
    assert 'name="time_zone"' in response.text
    assert "data-browser-time-zone" in response.text
    assert '<option value="Asia/Seoul">Asia/Seoul</option>' in response.text
    assert '<option value="America/New_York">America/New York</option>' in response.text
    assert '<option value="" selected>Automatic' in response.text


def test_a_member_saves_a_time_zone_and_sees_it_selected():
    client, member = member_client()

    response = client.post(
        reverse("users:profile_edit"), profile_data(member, time_zone="Asia/Seoul")
    )

    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.time_zone == "Asia/Seoul"
    page = client.get(reverse("users:profile_edit")).text
    assert '<option value="Asia/Seoul" selected>' in page


def test_an_unknown_zone_is_refused_with_a_clear_error_and_nothing_is_lost():
    client, member = member_client(time_zone="Europe/London", bio="Archery club.")

    response = client.post(
        reverse("users:profile_edit"),
        profile_data(member, time_zone="Mars/Olympus_Mons", bio="Archery and running."),
    )

    assert response.status_code == HTTPStatus.OK
    assert "is not a time zone we know" in response.text
    # What was typed is still in the form, and nothing was saved.
    assert "Archery and running." in response.text
    member.refresh_from_db()
    assert member.time_zone == "Europe/London"
    assert member.bio == "Archery club."


def test_a_banned_member_may_still_choose_a_time_zone(client):
    client, member = member_client(banned_until=datetime(2099, 1, 1, tzinfo=UTC))

    client.post(reverse("users:profile_edit"), profile_data(member, time_zone="Asia/Seoul"))

    member.refresh_from_db()
    assert member.time_zone == "Asia/Seoul"


def test_a_members_pages_show_times_in_their_zone_with_utc_attributes(thread):
    client, _member = member_client(time_zone="Asia/Seoul")

    html = client.get(thread.get_absolute_url()).text

    assert "2 January 2026, 00:30" in html
    assert UTC_ATTRIBUTE in html
    assert '<html lang="en" data-time-zone="Asia/Seoul">' in html
    assert "Times are shown in Asia/Seoul." in html


@pytest.mark.parametrize("zone", ["", "Not/A_Zone"])
def test_visitors_and_members_without_a_zone_get_utc_for_the_script_to_convert(thread, zone):
    visitor = Client()
    member, _user = member_client(time_zone=zone)

    for client in (visitor, member):
        html = client.get(thread.get_absolute_url()).text
        assert "1 January 2026, 15:30" in html
        assert UTC_ATTRIBUTE in html
        assert "data-time-zone=" not in html
        assert "Times are shown in UTC." in html
        assert "js/local-time.js" in html


def test_a_cached_page_follows_the_members_new_zone_at_once(thread):
    """The page cache keys pages by the active zone: changing it needs no
    invalidation, and the page from before is not served."""
    client, member = member_client(time_zone="Asia/Seoul")
    url = thread.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    client.post(reverse("users:profile_edit"), profile_data(member, time_zone="America/New_York"))
    # The "profile saved" message is shown (and not cached) on the next page.
    client.get(reverse("users:profile_edit"))
    response = client.get(url)

    assert "1 January 2026, 10:30" in response.text
    assert "2 January 2026, 00:30" not in response.text
    assert response["X-Page-Cache"] == "miss"


def test_one_members_zone_is_never_served_to_a_visitor(thread):
    seoul, _member = member_client(time_zone="Asia/Seoul")
    url = thread.get_absolute_url()
    seoul.get(url)
    seoul.get(url)
    visitor = Client()
    visitor.get(url)

    response = visitor.get(url)

    assert response["X-Page-Cache"] == "hit"
    assert "1 January 2026, 15:30" in response.text
    assert "00:30" not in response.text


def test_choosing_a_zone_does_not_empty_everyone_elses_cached_pages(thread):
    url = thread.get_absolute_url()
    visitor = Client()
    visitor.get(url)
    assert visitor.get(url)["X-Page-Cache"] == "hit"
    client, member = member_client()

    client.post(reverse("users:profile_edit"), profile_data(member, time_zone="Asia/Seoul"))

    assert User.objects.get(pk=member.pk).time_zone == "Asia/Seoul"
    assert visitor.get(url)["X-Page-Cache"] == "hit"


def test_every_time_attribute_is_utc_on_a_members_pages(thread):
    """Pages rendered in a member's zone still give machines UTC: each datetime
    attribute is an instant at +00:00, or a plain day (air dates)."""
    client, member = member_client(time_zone="Pacific/Auckland")
    ThreadFactory(author=member, title="Auckland viewing party")
    urls = [
        reverse("articles:article_list"),
        reverse("threads:board_list"),
        thread.board.get_absolute_url(),
        reverse("episodes:episode_list"),
        thread.get_absolute_url(),
        member.get_absolute_url(),
    ]
    for url in urls:
        html = client.get(url).text
        attributes = re.findall(r'datetime="([^"]*)"', html)
        assert attributes, url
        for value in attributes:
            assert value.endswith("+00:00") or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (
                f"{url}: {value}"
            )
