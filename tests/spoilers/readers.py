"""Readers at a given progress, for tests that check who sees what."""

from http import HTTPStatus

from django.urls import reverse

from tests.users.factories import UserFactory


def as_reader(client, kind, progress):
    """A member with that progress on their profile, or a visitor who set it."""
    if kind == "member":
        client.force_login(UserFactory(watched_up_to=progress))
    else:
        response = client.post(reverse("spoilers:progress_update"), {"watched_up_to": progress})
        assert response.status_code == HTTPStatus.FOUND
    return client
