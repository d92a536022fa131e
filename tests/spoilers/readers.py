"""Readers at a given progress, for tests that check who sees what."""

from http import HTTPStatus

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from fansite.spoilers.readers import Reader
from tests.users.factories import UserFactory


def as_reader(client, kind, progress):
    """A member with that progress on their profile, or a visitor who set it."""
    if kind == "member":
        client.force_login(UserFactory(watched_up_to=progress))
    else:
        response = client.post(reverse("spoilers:progress_update"), {"watched_up_to": progress})
        assert response.status_code == HTTPStatus.FOUND
    return client


def revealing(client, url, *items):
    """The address the reader of ``client`` lands on after pressing Show for
    ``items`` (objects with a reveal_key, or keys) on the page at ``url``: the
    reveal endpoint, as a browser uses it."""
    keys = [getattr(item, "reveal_key", item) for item in items]
    response = client.post(reverse("spoilers:reveal"), {"next": url, "reveal": keys})
    assert response.status_code == HTTPStatus.SEE_OTHER
    return response.url


def reader_for_client(client):
    """A Reader bound as the site binds ``client``'s reveal tokens (the member, or
    the visitor's CSRF cookie), to predict the tokens in its addresses."""
    member = client.session.get(SESSION_KEY)
    if member is not None:
        return Reader(binding=f"m{member}")
    cookie = client.cookies.get(settings.CSRF_COOKIE_NAME)
    return Reader(binding=f"v{cookie.value}" if cookie else None)
