"""The search page: a plain GET form in the header, results the reader may see,
gates when they ask for spoilers, and a clear message for any input."""

import re
from http import HTTPStatus

import pytest

from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/search/"


def test_the_header_has_a_search_box_on_every_page(client):
    html = client.get("/").text
    assert 'action="/search/"' in html
    assert 'name="q"' in html


def test_results_link_to_the_comment_and_mark_the_words(client):
    thread = ThreadFactory(title="Rooftop talk", body="x")
    comment = reply(thread, body="The <b>nametag</b> scene")
    html = client.get(URL, {"q": "nametag", "what": "comments"}).text
    assert f'href="/comments/{comment.pk}/"' in html
    assert "&lt;b&gt;<mark>nametag</mark>&lt;/b&gt;" in html
    assert "1 result" in html


@pytest.mark.parametrize(
    "typed",
    ["", " ", "!!!", "\x00", '"', '"open', "-", "-word", "x" * 10_000, "🧟" * 50, "a" * 10_001],
)
def test_no_input_makes_an_error_page(client, typed):
    response = client.get(URL, {"q": typed})
    assert response.status_code == HTTPStatus.OK


def test_a_nul_is_left_out_and_the_page_says_so(client):
    ThreadFactory(title="nametag", body="x")
    html = client.get(URL, {"q": "name\x00tag"}).text
    assert "left out" in html
    assert "1 result" in html


def test_odd_filters_are_a_message_not_an_error(client):
    response = client.get(URL, {"q": "zebra", "what": "nonsense", "when": "x", "page": "-3"})
    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in response.text


SECRET = "Cheongsanwaits"


def found_part(html):
    """The page after the search form: the count, the results, the paging."""
    return html.split('class="search-results__count"', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def gated_thread():
    return ThreadFactory(title=f"{SECRET} on the roof", body=f"{SECRET} again", spoils_episode=9)


@pytest.mark.parametrize("progress", [0, 3])
def test_a_reader_behind_sees_no_trace_of_a_later_episode(client, gated_thread, progress):
    client.force_login(UserFactory(watched_up_to=progress))
    html = client.get(URL, {"q": SECRET}).text
    assert "0 results" in html
    assert "include spoilers to see it as gates" in html  # said on every empty search
    assert SECRET.lower() not in found_part(html).lower()
    assert "on the roof" not in html


def test_a_reader_who_caught_up_finds_it(client, gated_thread):
    client.force_login(UserFactory(watched_up_to=9))
    html = client.get(URL, {"q": SECRET}).text
    assert f"<mark>{SECRET}</mark>" in html
    assert "2 results" not in html  # the thread once, title and post together
    assert "1 result" in html


def test_including_spoilers_shows_gates_without_text(client, gated_thread):
    client.force_login(UserFactory(watched_up_to=3))
    html = client.get(URL, {"q": SECRET, "spoilers": "on"}).text
    assert "Spoiler for episode 9" in html
    results = found_part(html)
    assert SECRET.lower() not in results.lower()
    assert "on the roof" not in html
    assert "<mark>" not in results


@pytest.mark.parametrize("progress", [3, 9])
def test_an_article_beyond_the_reader_and_its_comments_are_gates(client, progress):
    from fansite.comments.models import Comment
    from fansite.episodes.models import Episode
    from tests.articles.factories import ArticleFactory

    article = ArticleFactory(
        title=f"{SECRET} explained", spoils_episode=Episode.objects.get(position=9)
    )
    Comment.objects.create(article=article, author=UserFactory(), body=f"{SECRET} indeed")
    client.force_login(UserFactory(watched_up_to=progress))
    html = client.get(URL, {"q": SECRET, "spoilers": "on"}).text
    results = found_part(html)
    if progress < 9:
        assert results.count("Spoiler for episode 9") == 2
        # An article's link is its slug, which is spoiler-free by the site's rule
        # for article titles (the article list shows them to everyone); the
        # search still shows none of the title's words as text.
        text = re.sub(r'href="[^"]*"', "", results)
        assert SECRET.lower() not in text.lower()
        assert "explained" not in text
    else:
        assert "Spoiler for episode" not in results
        assert f"{SECRET} explained" in results
        assert f'href="/articles/{article.slug}/"' in results


def test_the_page_runs_few_queries(client, django_assert_max_num_queries):
    thread = ThreadFactory(title="counting", body="counting")
    for n in range(25):
        reply(thread, body=f"counting {n}")
    client.get(URL, {"q": "warm"})
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "counting"})
    assert "26 results" in response.text


def test_a_page_of_every_kind_runs_as_few(client, django_assert_max_num_queries):
    from fansite.comments.models import Comment
    from fansite.episodes.models import Episode
    from fansite.threads.models import Board
    from tests.articles.factories import ArticleFactory

    thread = ThreadFactory(title="omnikind thread", body="x", board=board("episode-2"))
    reply(thread, body="omnikind reply")
    article = ArticleFactory(title="omnikind article")
    Comment.objects.create(article=article, author=UserFactory(), body="omnikind note")
    UserFactory(username="omnikind", display_name="Omni Kind")
    Board.objects.create(title="omnikind board", slug="omnikind")
    episode = Episode.objects.get(position=4)
    episode.title = "omnikind episode"
    episode.save()
    client.force_login(UserFactory(watched_up_to=12))
    client.get(URL, {"q": "warm"})
    # The member, the matches, the live rules with the ranks, and the page: a
    # field the page needs and the query left out would cost a query per result.
    with django_assert_max_num_queries(4):
        html = client.get(URL, {"q": "omnikind"}).text
    assert "7 results" in html
    for kind in ("Thread", "Comment", "Article", "Board", "Episode", "Member"):
        assert f'search-result__kind">{kind}<' in html, kind
    assert "Comment in “omnikind article”" in html
    assert "Episode 2" in html  # the reply's board


def test_many_results_say_they_are_the_newest(client, monkeypatch):
    from fansite.search import selectors

    monkeypatch.setattr(selectors, "MOST", 3)
    thread = ThreadFactory(title="plenty", body="plenty")
    for n in range(4):
        reply(thread, body=f"plenty {n}")
    html = client.get(URL, {"q": "plenty"}).text
    assert "More than 3 results: these are the best of the newest 3." in html


def test_a_renamed_board_is_in_the_filters_at_once(client):
    from fansite.threads.models import Board

    assert "Theories" in client.get(URL).text
    theories = Board.objects.get(slug="theories")
    theories.title = "Wild guesses"
    theories.save()
    html = client.get(URL).text
    assert ">Wild guesses</option>" in html
    assert ">Theories</option>" not in html
