"""Spoiler safety: a line says no more than the reader has watched, at the moment they
look. Secrets are planted at episodes 3, 9 and 12; a reader at progress 0, 3 and 9
sees none beyond their progress, one at 12 sees them all, and one who catches up
later sees what was held back."""

import re

import pytest
from django.urls import reverse

from fansite.notifications import services
from fansite.notifications.models import Notification
from fansite.spoilers.levels import NO_SPOILERS
from fansite.threads.models import Thread
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db
CENTRE = reverse("notifications:notification_list")
LEVELS = (3, 9, 12)


@pytest.fixture
def secrets(posting):
    """Ji-ho (who has finished) starts a thread on each episode board with a secret in
    its title, and replies in it with a secret, mentioning the reader, who follows it;
    plus a spoiler-free thread whose reply hides a secret in an inline spoiler."""

    def plant(reader):
        jiho = UserFactory(username="jiho", display_name="Ji-ho", watched_up_to=12)
        for level in LEVELS:
            thread = posting.thread(
                jiho,
                slug=f"episode-{level}",
                title=f"TITLE-SECRET-{level}",
                body=f"Opening BODY-SECRET-{level}",
            )
            posting.comment(thread, jiho, f"@{reader.username} REPLY-SECRET-{level}")
        calm = posting.thread(jiho, title="Calm thread", spoils_episode=NO_SPOILERS)
        posting.comment(calm, jiho, f"@{reader.username} look >!INLINE-SECRET!< here")
        return jiho

    return plant


def _secrets_in(text):
    return {int(n) for n in re.findall(r"(?:TITLE|BODY|REPLY)-SECRET-(\d+)", text)}


@pytest.mark.parametrize("progress", [0, 3, 9, 12])
def test_the_centre_shows_nothing_beyond_the_readers_progress(client, secrets, progress):
    reader = UserFactory(username="reader", watched_up_to=progress)
    secrets(reader)
    client.force_login(reader)

    page = client.get(CENTRE).text

    assert Notification.objects.filter(recipient=reader).count() == 4
    assert _secrets_in(page) == {level for level in LEVELS if level <= progress}
    assert "INLINE-SECRET" not in page
    assert "look [spoiler] here" in page
    for level in LEVELS:
        if level > progress:
            assert (
                f"Ji-ho mentioned you in a thread on the Episode {level} board — "
                f"spoiler for episode {level}"
            ) in page


@pytest.mark.parametrize("progress", [0, 3, 9, 12])
def test_the_header_count_carries_no_text(client, secrets, progress):
    reader = UserFactory(username="reader", watched_up_to=progress)
    secrets(reader)
    client.force_login(reader)

    page = client.get("/").text
    header = page[page.index('<header class="site-header"') : page.index("</header>")]

    assert '<span class="notification-count">4<span class="visually-hidden"> unread' in header
    assert not _secrets_in(header)


def test_a_reader_who_catches_up_sees_what_was_held_back(client, secrets):
    reader = UserFactory(username="reader", watched_up_to=3)
    secrets(reader)
    client.force_login(reader)
    assert _secrets_in(client.get(CENTRE).text) == {3}

    reader.watched_up_to = 12
    reader.save()

    assert _secrets_in(client.get(CENTRE).text) == {3, 9, 12}


def test_the_following_page_gates_titles(client, secrets):
    reader = UserFactory(username="reader", watched_up_to=3)
    secrets(reader)
    jiho_threads = Notification.objects.filter(recipient=reader).values_list("thread", flat=True)
    for thread in Thread.objects.filter(pk__in=jiho_threads):
        services.follow(member=reader, target=thread)
    client.force_login(reader)

    page = client.get(reverse("notifications:follow_list")).text

    assert _secrets_in(page) == {3}
    assert "A thread on the Episode 9 board — spoiler for episode 9" in page
