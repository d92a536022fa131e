"""Rate limits on comments, edits, threads, reports and avatars, through the test client."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.moderation.models import Report
from fansite.threads.models import Thread
from fansite.web.ratelimits import RateLimited, check_rate_limit, parse_rate
from tests.users.images import image_bytes, upload

from .conftest import (
    comment_url,
    established,
    noon_tomorrow,
    page_text,
    set_rates,
    thread_create_url,
)

pytestmark = pytest.mark.django_db


def post(client, thread, body, **extra):
    return client.post(comment_url(thread), {"body": body}, **extra)


def test_limits_are_on_by_default_comments_ten_a_minute(client, member, thread):
    client.force_login(member)
    for number in range(10):
        response = post(client, thread, f"Thought number {number}.")
        assert response.status_code == HTTPStatus.FOUND

    response = post(client, thread, "One thought too many, typed with care.")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    text = page_text(response)
    assert "You're posting quickly. Try again in" in text
    assert "One thought too many, typed with care.</textarea>" in text
    assert 1 <= int(response["Retry-After"]) <= 60
    assert not Comment.objects.filter(body__startswith="One thought too many").exists()


def test_message_says_how_long_to_wait(client, member, thread, settings):
    set_rates(settings, "comment", "2/m/user")
    client.force_login(member)
    start = noon_tomorrow(second=20)
    with time_machine.travel(start, tick=False):
        post(client, thread, "First.")
        post(client, thread, "Second.")
        response = post(client, thread, "Third.")

    assert "You're posting quickly. Try again in 40 seconds." in page_text(response)
    assert response["Retry-After"] == "40"


def test_limit_resets_with_the_next_window(client, member, thread, settings):
    set_rates(settings, "comment", "2/m/user")
    client.force_login(member)
    start = noon_tomorrow(second=20)
    with time_machine.travel(start, tick=False) as traveller:
        post(client, thread, "First.")
        post(client, thread, "Second.")
        assert post(client, thread, "Third.").status_code == HTTPStatus.TOO_MANY_REQUESTS

        traveller.shift(datetime.timedelta(seconds=39))
        assert post(client, thread, "Still third.").status_code == HTTPStatus.TOO_MANY_REQUESTS

        traveller.shift(datetime.timedelta(seconds=1))
        response = post(client, thread, "Third, a minute later.")

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(body="Third, a minute later.").exists()


def test_form_errors_do_not_count(client, member, thread, settings):
    set_rates(settings, "comment", "1/m/user")
    client.force_login(member)
    for _attempt in range(3):
        assert post(client, thread, "   ").status_code == HTTPStatus.OK

    assert post(client, thread, "At last, something to say.").status_code == HTTPStatus.FOUND
    assert post(client, thread, "And more.").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_per_address_limit_counts_every_member_at_that_address(client, thread, settings):
    set_rates(settings, "comment", "100/m/user", "3/m/ip")
    alice, bob, carol = established(), established(), established()
    client.force_login(alice)
    post(client, thread, "Alice one.", REMOTE_ADDR="198.51.100.7")
    post(client, thread, "Alice two.", REMOTE_ADDR="198.51.100.7")
    client.force_login(bob)
    assert post(client, thread, "Bob one.", REMOTE_ADDR="198.51.100.7").status_code == 302

    response = post(client, thread, "Bob two.", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "You're posting quickly." in page_text(response)
    client.force_login(carol)
    elsewhere = post(client, thread, "Carol, elsewhere.", REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == HTTPStatus.FOUND


def test_per_member_limit_follows_the_member_across_addresses(client, member, thread, settings):
    set_rates(settings, "comment", "3/m/user", "100/m/ip")
    client.force_login(member)
    for number, address in enumerate(["198.51.100.1", "198.51.100.2", "198.51.100.3"]):
        assert post(client, thread, f"Post {number}.", REMOTE_ADDR=address).status_code == 302

    response = post(client, thread, "From a fourth address.", REMOTE_ADDR="198.51.100.4")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    other = established()
    client.force_login(other)
    assert post(client, thread, "Someone else.", REMOTE_ADDR="198.51.100.4").status_code == 302


def test_ipv6_addresses_count_per_64_network(client, thread, settings):
    set_rates(settings, "comment", "100/m/user", "1/m/ip")
    client.force_login(established())
    post(client, thread, "From one address.", REMOTE_ADDR="2001:db8:1:2::10")
    client.force_login(established())

    same_network = post(client, thread, "Same /64.", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    other_network = post(client, thread, "Next /64.", REMOTE_ADDR="2001:db8:1:3::1")

    assert same_network.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other_network.status_code == HTTPStatus.FOUND


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(client, thread, settings):
    set_rates(settings, "comment", "100/m/user", "1/m/ip")
    client.force_login(established())
    post(client, thread, "One.", HTTP_X_FORWARDED_FOR="192.0.2.1")

    response = post(client, thread, "Two.", HTTP_X_FORWARDED_FOR="192.0.2.2")

    # Both came from the same REMOTE_ADDR; the header changes nothing.
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, thread, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    set_rates(settings, "comment", "100/m/user", "1/m/ip")
    client.force_login(established())
    post(client, thread, "One.", HTTP_X_FORWARDED_FOR="203.0.113.50")

    # The client forges an extra entry on the left: the proxy's entry still counts.
    forged = post(client, thread, "Two.", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50")
    other_client = post(client, thread, "Three.", HTTP_X_FORWARDED_FOR="203.0.113.51")

    assert forged.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other_client.status_code == HTTPStatus.FOUND


def test_limits_can_be_switched_off(client, member, thread, settings):
    settings.RATE_LIMITS_ENABLED = False
    set_rates(settings, "comment", "1/m/user")
    client.force_login(member)

    responses = [post(client, thread, f"Unlimited {n}.") for n in range(3)]

    assert [r.status_code for r in responses] == [HTTPStatus.FOUND] * 3


def test_edits_have_their_own_limit(client, member, thread, settings):
    set_rates(settings, "edit", "2/m/user")
    comment = post_comment(target=thread, author=member, body="First draft.")
    client.force_login(member)
    url = reverse("comments:comment_edit", args=[comment.pk])
    client.post(url, {"body": "Second draft."})
    client.post(url, {"body": "Third draft."})

    response = client.post(url, {"body": "Fourth draft, carefully worded."})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    text = page_text(response)
    assert "You're editing quickly. Try again in" in text
    assert "Fourth draft, carefully worded.</textarea>" in text
    comment.refresh_from_db()
    assert comment.body == "Third draft."


def test_starting_threads_is_limited_and_keeps_the_text(client, member, settings):
    set_rates(settings, "thread", "2/m/user")
    client.force_login(member)
    for number in range(2):
        response = client.post(
            thread_create_url(), {"title": f"Topic {number}", "body": f"Body {number}."}
        )
        assert response.status_code == HTTPStatus.FOUND

    response = client.post(
        thread_create_url(), {"title": "Third topic", "body": "A long theory about Cheong-san."}
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.has_header("Retry-After")
    text = page_text(response)
    assert "You're starting threads quickly. Try again in" in text
    assert 'value="Third topic"' in text
    assert "A long theory about Cheong-san.</textarea>" in text
    assert not Thread.objects.filter(title="Third topic").exists()


def test_reporting_is_limited_and_keeps_the_details(client, member, thread, settings):
    set_rates(settings, "report", "2/m/user")
    comments = [
        post_comment(target=thread, author=established(), body=f"Rude remark {n}.")
        for n in range(3)
    ]
    client.force_login(member)

    def report(comment, details):
        url = reverse("moderation:report_create", kwargs={"kind": "comment", "pk": comment.pk})
        return client.post(url, {"reason": "spam", "details": details})

    assert report(comments[0], "Spam one.").status_code == HTTPStatus.FOUND
    assert report(comments[1], "Spam two.").status_code == HTTPStatus.FOUND
    response = report(comments[2], "A third one, explained at length.")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    text = page_text(response)
    assert "You've sent many reports in a short time. Try again in" in text
    assert "A third one, explained at length." in text
    assert Report.objects.count() == 2


def test_avatar_uploads_are_limited_and_keep_the_rest_of_the_form(client, member, settings):
    set_rates(settings, "avatar", "2/h/user")
    client.force_login(member)
    url = reverse("users:profile_edit")
    for _upload in range(2):
        response = client.post(
            url, {"display_name": "", "bio": "", "avatar": upload(image_bytes())}
        )
        assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    avatar = member.avatar

    response = client.post(
        url,
        {"display_name": "Nam On-jo", "bio": "Archery club.", "avatar": upload(image_bytes())},
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    text = page_text(response)
    assert "You've changed your picture several times in a short time. Try again in" in text
    assert 'value="Nam On-jo"' in text
    assert "Archery club.</textarea>" in text
    member.refresh_from_db()
    assert member.avatar == avatar
    assert member.display_name == ""
    # Saving the profile without a new picture is not limited.
    response = client.post(url, {"display_name": "Nam On-jo", "bio": "Archery club."})
    assert response.status_code == HTTPStatus.FOUND


def test_a_malformed_rate_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="ten a minute"):
        parse_rate("ten a minute")
    assert parse_rate("5/10m/ip").period == 600


def _attempt(request, action):
    try:
        check_rate_limit(request, action)
    except RateLimited:
        return False
    return True


def concurrent_attempts(settings, attempts=40):
    """Attempts made at once from many threads; returns how many were let through."""
    set_rates(settings, "burst", "10/h/user")
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.77")
    request.user = SimpleNamespace(is_authenticated=True, pk=424242)
    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(lambda _n: _attempt(request, "burst"), range(attempts)))


def test_concurrent_attempts_never_pass_the_limit(settings):
    assert concurrent_attempts(settings) == 10
