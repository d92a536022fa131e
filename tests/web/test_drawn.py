"""Parts of pages drawn once per process ({% drawn %}, fansite/web/templatetags/
drawn.py: the header, the footer, a list's group of spoiler gates). A part is
keyed by the values it names, so each use must name everything it shows that can
change between readers: pages drawn with the parts must be byte for byte the pages
drawn without them, whoever asks, and every form must carry the asking reader's
own CSRF token, never the one of the reader the part was first drawn for."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from fansite.articles.models import Article
from fansite.comments.services import post_comment, start_thread
from fansite.episodes.models import Episode
from fansite.threads.models import Board, Thread
from fansite.web.templatetags.drawn import drawn_parts
from tests.articles.factories import ArticleFactory, TagFactory
from tests.spoilers.readers import revealing
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture
def site(relaxed_posting_limits, settings):
    settings.PAGE_CACHE_SECONDS = 0
    author = UserFactory(username="drawer", display_name="Drawer", watched_up_to=12)
    for number, (slug, level) in enumerate(
        [("episode-9", None), ("episode-10", None), ("episode-11", None), ("general", None)]
    ):
        thread = start_thread(
            board=Board.objects.get(slug=slug),
            author=author,
            title=f"Thread {number}",
            body=f"Opening {number}.",
            spoils_episode=level,
        )
        post_comment(target=thread, author=author, body=f"Reply {number}")
    spoiling = ArticleFactory(
        title="An article about the finale",
        standfirst="",
        body="The secret of the finale.",
        spoils_episode=Episode.objects.get(position=10),
        tags=[TagFactory(name="Finale"), TagFactory(name="Analysis")],
    )
    ArticleFactory(title="A safe article", tags=[TagFactory(name="Cast")])
    assert spoiling.description  # the card shows it to readers who have seen episode 10
    return thread


def readers():
    return {
        "visitor": None,
        "early": UserFactory(watched_up_to=2),
        "caught up": UserFactory(watched_up_to=12, time_zone="Asia/Seoul"),
        "staff": UserFactory(watched_up_to=12, is_staff=True),
    }


def fetch(user, url, client=None):
    client = client or Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return client, response.content.decode()


def without_tokens(html):
    return TOKEN.sub("", html)


def urls(thread):
    return [
        "/",
        "/?page=1&sort=top",
        "/boards/",
        "/boards/general/",
        "/boards/episode-9/",
        "/boards/episode-10/?sort=top-week",
        "/boards/episode-3/",  # no threads: the empty state, and "I've watched" says so
        "/articles/tag/finale/",
        *(other.get_absolute_url() for other in Thread.objects.order_by("pk")),
        f"{thread.get_absolute_url()}?sort=newest",
        f"{thread.get_absolute_url()}?sort=top",
    ]


def test_pages_with_drawn_parts_are_the_pages_without_them(site, settings):
    people = readers()
    settings.CARD_CACHE_SECONDS = 0
    plain = {
        (name, url): without_tokens(fetch(user, url)[1])
        for name, user in people.items()
        for url in urls(site)
    }
    settings.CARD_CACHE_SECONDS = 300
    drawn_parts.clear()
    for (name, url), expected in plain.items():
        # Twice: drawn, then from what was drawn (by this reader or an earlier one).
        assert without_tokens(fetch(people[name], url)[1]) == expected, (name, url)
        assert without_tokens(fetch(people[name], url)[1]) == expected, (name, url)
    assert drawn_parts.size > 0


def test_a_drawn_part_carries_each_readers_own_token(site):
    url = "/boards/episode-9/"  # header, footer and a group of gates, with forms
    first, _html = fetch(None, url)
    second, html = fetch(None, url)

    tokens = TOKEN.findall(html)
    secret = second.cookies["csrftoken"].value

    assert len(tokens) >= 2
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert secret != first.cookies["csrftoken"].value


GATED = re.compile(r"(\d+) discussions spoil episodes")


def test_a_group_of_gates_is_drawn_again_when_its_threads_change(site, settings):
    before = GATED.search(fetch(None, "/")[1])  # the group of gated threads, drawn
    start_thread(
        board=Board.objects.get(slug="episode-12"),
        author=UserFactory(watched_up_to=12),
        title="A later thread",
        body="Opening 12.",
    )
    settings.CARD_CACHE_SECONDS = 0
    plain = without_tokens(fetch(None, "/")[1])
    settings.CARD_CACHE_SECONDS = 300

    html = without_tokens(fetch(None, "/")[1])

    assert html == plain
    assert int(GATED.search(html)[1]) == int(before[1]) + 1


def test_the_progress_forms_follow_an_edited_episode_title(site):
    from fansite.episodes.models import Episode

    fetch(None, "/")
    episode = Episode.objects.get(position=4)
    episode.title = "A title an editor gave it"
    episode.save()

    html = fetch(None, "/")[1]

    assert html.count("A title an editor gave it") >= 2  # the header's and the first visit's


def test_a_revealed_thread_is_drawn_for_its_reader_only(site, settings):
    early, other = UserFactory(watched_up_to=2), UserFactory(watched_up_to=2)
    thread = Thread.objects.get(board__slug="episode-10")
    client, _html = fetch(early, thread.get_absolute_url())
    revealed = revealing(client, thread.get_absolute_url(), thread)
    settings.CARD_CACHE_SECONDS = 0
    plain = without_tokens(fetch(early, revealed)[1])
    assert '<h1 class="thread-header__title">Thread 1</h1>' in plain
    settings.CARD_CACHE_SECONDS = 300
    drawn_parts.clear()

    assert without_tokens(fetch(early, revealed)[1]) == plain
    assert without_tokens(fetch(early, revealed)[1]) == plain
    # The same address is not the same page for a member the tokens were not made for.
    for url in (revealed, thread.get_absolute_url()):
        assert "Thread 1</h1>" not in fetch(other, url)[1]


def test_a_threads_header_follows_an_edited_title(site):
    caught_up = UserFactory(watched_up_to=12)
    assert f"{site.title}</h1>" in fetch(caught_up, site.get_absolute_url())[1]
    site.title = "A title put right"
    site.save()

    assert "A title put right</h1>" in fetch(caught_up, site.get_absolute_url())[1]


def test_a_boards_header_follows_an_edited_board(site):
    fetch(None, "/boards/general/")
    Board.objects.filter(slug="general").update(description="Anything about the show, newly put.")

    html = fetch(None, "/boards/general/")[1]

    assert "Anything about the show, newly put." in html


def test_an_article_card_follows_its_tags_and_the_readers_progress(site):
    early, caught_up = UserFactory(watched_up_to=2), UserFactory(watched_up_to=12)
    assert "The secret of the finale" not in fetch(early, "/")[1]
    assert "The secret of the finale" in fetch(caught_up, "/")[1]
    assert "The secret of the finale" not in fetch(early, "/")[1]  # drawn for one, not the other

    article = Article.objects.get(title="A safe article")
    article.tags.add(TagFactory(name="Newly tagged"))

    assert "Newly tagged" in fetch(None, "/")[1]
