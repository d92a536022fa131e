"""Issue 14, Writing: the "spoils up to" menu offers only choices that mean something.

On a thread or an article at episode N a comment cannot spoil less than N (the service
raises a lower choice to N), so the menu starts at "Nothing beyond this thread (episode
N)" and goes on with the later episodes, by title. A forged lower value is raised, as the
service always did; a value that is no episode is refused with the text kept.
"""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.spoilers.levels import NO_SPOILERS
from fansite.threads.models import Board
from tests.users.factories import UserFactory

from .factories import CommentFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def menu(page):
    select = re.search(r'<select name="spoils_episode"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no spoils-up-to menu"
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))


def values(options):
    return [value for value, _selected, _label in options]


def label(options, value):
    return next(text for v, _selected, text in options if v == value)


def selected(options):
    return [value for value, chosen, _label in options if chosen]


@pytest.fixture
def titled():
    for position, title in ((5, "Hide and Seek"), (7, "The Rooftop")):
        episode = Episode.objects.get(position=position)
        episode.title = title
        episode.save()  # the admin's save forgets the cached titles


def test_a_thread_menu_starts_at_its_episode_and_names_the_later_ones(client, member, titled):
    thread = ThreadFactory(spoils_episode=5)
    client.force_login(member)

    options = menu(client.get(thread.get_absolute_url()).text)

    assert values(options) == [str(n) for n in range(5, 13)]
    assert label(options, "5") == "Nothing beyond this thread (episode 5)"
    assert label(options, "6") == "Episode 6"
    assert label(options, "7") == "Episode 7 — The Rooftop"


def test_an_article_menu_starts_at_its_episode(client, member, article):
    article.spoils_episode = Episode.objects.get(position=4)
    article.save()
    client.force_login(member)

    options = menu(client.get(article.get_absolute_url()).text)

    assert values(options) == [str(n) for n in range(4, 13)]
    assert label(options, "4") == "Nothing beyond this article (episode 4)"


def test_a_thread_without_a_level_offers_no_spoilers_and_every_episode(client, member):
    thread = ThreadFactory(board=Board.objects.get(slug="general"), spoils_episode=NO_SPOILERS)
    assert thread.spoiler_level is None
    client.force_login(member)

    options = menu(client.get(thread.get_absolute_url()).text)

    assert values(options) == ["", *(str(n) for n in range(1, 13))]
    assert label(options, "") == "No spoilers"


def test_a_quote_preselects_its_level_after_the_threads_own(client, member):
    thread = ThreadFactory(spoils_episode=5)
    quoted = CommentFactory(thread=thread, spoils_episode_id=9)
    client.force_login(member)

    options = menu(client.get(thread.get_absolute_url(), {"quote": quoted.pk}).text)

    assert values(options)[0] == "5"
    assert selected(options) == ["9"]


def test_an_edit_starts_at_the_comments_own_level(client, member):
    thread = ThreadFactory(spoils_episode=5)
    comment = CommentFactory(thread=thread, author=member, spoils_episode_id=8)
    client.force_login(member)

    options = menu(client.get(reverse("comments:comment_edit", args=[comment.pk])).text)

    assert values(options) == [str(n) for n in range(8, 13)]
    assert label(options, "8") == "Episode 8"


def test_a_forged_lower_level_is_raised_to_the_threads(client, member):
    thread = ThreadFactory(spoils_episode=5)
    client.force_login(member)

    response = client.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Claims to spoil episode 2.", "spoils_episode": "2"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.get(body="Claims to spoil episode 2.").spoiler_level == 5


@pytest.mark.parametrize("value", ["13", "0", "-1", "nine"])
def test_a_level_that_is_no_episode_is_refused_and_the_text_kept(client, member, value):
    thread = ThreadFactory(spoils_episode=5)
    client.force_login(member)

    response = client.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Kept while I fix the menu.", "spoils_episode": value},
    )

    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in response.text
    assert "Kept while I fix the menu.</textarea>" in response.text
    assert not Comment.objects.filter(body="Kept while I fix the menu.").exists()


def test_the_new_thread_form_offers_every_episode_by_title(client, titled):
    client.force_login(UserFactory(watched_up_to=12))

    page = client.get(reverse("threads:thread_create", args=["general"])).text

    options = menu(page)
    assert values(options) == ["0", *(str(n) for n in range(1, 13))]
    assert label(options, "7") == "Episode 7 — The Rooftop"
