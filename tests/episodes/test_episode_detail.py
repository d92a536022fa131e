"""The episode page: what editors wrote, its neighbours, the board's latest threads
gated like the board, and "I've watched episode N"."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.episodes.models import Episode
from fansite.spoilers.readers import SESSION_KEY
from fansite.threads.models import Thread
from tests.spoilers.readers import as_reader
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret title marmot-7731"
WATCHED_URL = reverse("spoilers:episode_watched")


def episode_url(number):
    return reverse("episodes:episode_detail", kwargs={"number": number})


def unescaped(response):
    """The page's text with apostrophes as typed: Django escapes them in variables
    but not in translated strings."""
    return response.text.replace("&#x27;", "'")


def thread_titles(html):
    return re.findall(r'<a class="thread-row__title" href="[^"]+">([^<]+)</a>', html)


def progress_of(client, member=None):
    if member is not None:
        member.refresh_from_db()
        return member.watched_up_to
    return client.session.get(SESSION_KEY, 0)


@pytest.mark.parametrize("number", range(1, 13))
def test_every_episode_has_a_page(client, number):
    response = client.get(episode_url(number))

    assert response.status_code == HTTPStatus.OK
    assert f"<h1>Episode {number}" in response.text
    assert '<time datetime="2022-01-28">28 January 2022</time>' in response.text
    assert f'href="{board(f"episode-{number}").get_absolute_url()}"' in response.text


@pytest.mark.parametrize("number", [0, 13])
def test_there_is_no_page_beyond_the_catalogue(client, number):
    assert client.get(episode_url(number)).status_code == HTTPStatus.NOT_FOUND


def test_previous_and_next_episodes_are_linked(client):
    middle = client.get(episode_url(5)).text
    assert f'rel="prev" href="{episode_url(4)}"' in middle
    assert f'rel="next" href="{episode_url(6)}"' in middle

    first = client.get(episode_url(1)).text
    assert 'rel="prev"' not in first
    assert f'rel="next" href="{episode_url(2)}"' in first

    last = client.get(episode_url(12)).text
    assert f'rel="prev" href="{episode_url(11)}"' in last
    assert 'rel="next"' not in last


def test_title_and_synopsis_show_when_editors_set_them(client):
    before = client.get(episode_url(2)).text
    assert "No synopsis yet" in before

    episode = Episode.objects.get(position=2)
    episode.title = "An editor's title"
    episode.synopsis = "A spoiler-free line an editor wrote."
    episode.save()

    # The episode's save drops the cached page: no stale copy.
    html = unescaped(client.get(episode_url(2)))
    assert "An editor's title" in html
    assert "A spoiler-free line an editor wrote." in html
    assert "No synopsis yet" not in html
    assert "<title>Episode 2: An editor's title" in html


def test_neighbours_and_the_progress_menu_name_episodes_by_their_titles(client):
    episode = Episode.objects.get(position=6)
    episode.title = "  A   title  for six "
    episode.save()

    html = unescaped(client.get(episode_url(5)))

    assert ">Next: Episode 6 — A title for six<" in html
    assert '<option value="6">Episode 6 — A title for six</option>' in html
    assert '<option value="5">Episode 5</option>' in html


def test_the_seeded_placeholder_title_is_not_repeated_as_a_title(client):
    html = client.get(episode_url(3)).text

    assert "episode-header__title" not in html
    assert "<title>Episode 3 · " in html


def test_the_ratings_region_shows_no_scores_before_anyone_rates(client):
    html = client.get(episode_url(4)).text

    assert 'id="ratings"' in html
    assert "No ratings yet." in html
    assert "rating-chart" not in html


@pytest.fixture
def secret_thread():
    return ThreadFactory(board=board("episode-9"), title=SECRET_TITLE)


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_an_episode_nine_thread_title_is_not_sent_to_an_episode_three_reader(
    client, secret_thread, kind
):
    as_reader(client, kind, 3)

    response = client.get(episode_url(9))

    assert response.status_code == HTTPStatus.OK
    assert SECRET_TITLE not in response.text
    assert "Spoiler for episode 9" in response.text
    assert (
        "You've watched up to episode 3: threads on this board spoil episode 9, so their "
        "titles are hidden. Mark episode 9 as watched to see them."
    ) in unescaped(response)


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_an_episode_nine_reader_sees_the_thread_title(client, secret_thread, kind):
    as_reader(client, kind, 9)

    html = client.get(episode_url(9)).text

    assert thread_titles(html) == [SECRET_TITLE]
    assert "Spoiler for episode 9" not in html


def test_the_page_lists_the_latest_threads_and_leaves_hidden_ones_out(client):
    as_reader(client, "visitor", 12)
    older = ThreadFactory(board=board("episode-6"), title="Older thread")
    ThreadFactory(board=board("episode-6"), title="Newer thread")
    Thread.objects.filter(pk=older.pk).update(last_activity_at=timezone.now())
    ThreadFactory(board=board("episode-6"), title="Hidden thread")
    Thread.objects.filter(title="Hidden thread").update(is_hidden=True)
    ThreadFactory(board=board("episode-7"), title="Another board's thread")

    html = client.get(episode_url(6)).text

    assert thread_titles(html) == ["Older thread", "Newer thread"]


def test_an_empty_board_invites_the_first_thread(client):
    as_reader(client, "visitor", 3)

    html = unescaped(client.get(episode_url(11)))

    assert "No threads yet." in html
    # Nothing is hidden yet, and the page does not pretend otherwise.
    assert "so their titles are hidden" not in html
    assert "threads on this board spoil episode 11, so they will be hidden from you" in html
    assert "I've watched episode 11</button>" in html


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_ive_watched_raises_progress_and_shows_the_titles(client, secret_thread, kind):
    as_reader(client, kind, 3)
    member = UserFactory(watched_up_to=3) if kind == "member" else None
    if member:
        client.force_login(member)
    page = unescaped(client.get(episode_url(9)))
    assert "I've watched episode 9</button>" in page

    response = client.post(WATCHED_URL, {"episode": 9, "next": episode_url(9)})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == episode_url(9)
    assert progress_of(client, member) == 9
    html = unescaped(client.get(episode_url(9)))
    assert "Episode 9 marked as watched" in html
    assert SECRET_TITLE in html
    assert "I've watched episode 9</button>" not in html
    assert "You've watched episode 9." in html


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_ive_watched_never_lowers_progress(client, kind):
    as_reader(client, kind, 10)
    member = UserFactory(watched_up_to=10) if kind == "member" else None
    if member:
        client.force_login(member)
    page = unescaped(client.get(episode_url(4)))
    # Nothing to offer: they are past it, and the page says so.
    assert "I've watched episode 4</button>" not in page
    assert "your progress is at episode 10" in page

    response = client.post(WATCHED_URL, {"episode": 4, "next": episode_url(4)}, follow=True)

    assert progress_of(client, member) == 10
    assert "You have already watched up to episode 10, so your progress stays there." in (
        unescaped(response)
    )


@pytest.mark.parametrize("episode", ["13", "0", "nine", ""])
def test_ive_watched_refuses_an_episode_that_does_not_exist(client, episode):
    as_reader(client, "visitor", 2)

    client.post(WATCHED_URL, {"episode": episode, "next": episode_url(2)})

    assert progress_of(client) == 2


def test_ive_watched_goes_back_only_to_this_site(client):
    response = client.post(WATCHED_URL, {"episode": 1, "next": "https://elsewhere.example/"})

    assert response.url == "/"


def test_ive_watched_takes_only_post(client):
    assert client.get(WATCHED_URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_ive_watched_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.get(episode_url(5))

    refused = client.post(WATCHED_URL, {"episode": 5, "next": episode_url(5)})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert client.session.get(SESSION_KEY, 0) == 0

    # The token the (possibly cached) page carries works.
    html = client.get(episode_url(5)).text
    form = html[html.index('class="episode-watched__form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    accepted = client.post(
        WATCHED_URL, {"episode": 5, "next": episode_url(5), "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == HTTPStatus.FOUND
    assert client.session[SESSION_KEY] == 5


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_the_episode_board_offers_ive_watched_and_says_what_is_hidden(client, secret_thread, kind):
    as_reader(client, kind, 3)

    html = unescaped(client.get(board("episode-9").get_absolute_url()))

    assert SECRET_TITLE not in html
    assert "You've watched up to episode 3: threads on this board spoil episode 9" in html
    assert f'action="{WATCHED_URL}"' in html
    assert "I've watched episode 9</button>" in html
    assert f'href="{episode_url(9)}"' in html


def test_general_boards_have_no_watched_button(client):
    html = client.get(board("general").get_absolute_url()).text

    assert f'action="{WATCHED_URL}"' not in html


def test_episode_titles_appear_on_the_boards_where_set(client):
    episode = Episode.objects.get(position=7)
    episode.title = "Editors' episode seven title"
    episode.save()

    board_page = unescaped(client.get(board("episode-7").get_absolute_url()))
    board_list = unescaped(client.get(reverse("threads:board_list")))
    guide = unescaped(client.get(reverse("episodes:episode_list")))

    for html in (board_page, board_list, guide):
        assert "Editors' episode seven title" in html


def test_the_header_links_the_episode_guide(client):
    html = client.get("/").text
    header = html[html.index('<nav class="site-nav"') : html.index("</nav>")]

    assert f'href="{reverse("episodes:episode_list")}"' in header
    guide = client.get(reverse("episodes:episode_list")).text
    assert 'href="/episodes/" aria-current="page">Episodes<' in guide


def test_the_guide_links_each_episode_page(client):
    html = client.get(reverse("episodes:episode_list")).text

    for number in range(1, 13):
        assert f'href="{episode_url(number)}"' in html


@pytest.mark.parametrize("kind", ["member", "visitor"])
@pytest.mark.parametrize("count", [3, 30])
def test_the_page_runs_a_few_queries_whatever_the_number_of_threads(
    client, django_assert_max_num_queries, relaxed_posting_limits, kind, count
):
    author = UserFactory(watched_up_to=12)
    ThreadFactory.create_batch(count, board=board("episode-8"), author=author)
    as_reader(client, kind, 5)
    client.get("/")  # the episode catalogue is cached by the first page

    # The member (members only), the episode with its board, the threads with authors,
    # the ratings' summary.
    with django_assert_max_num_queries(4):
        response = client.get(episode_url(8))

    assert response.status_code == HTTPStatus.OK
    assert response["X-Page-Cache"] == "miss"
    assert response.text.count("Spoiler for episode 8</span>") == min(count, 10)


def test_a_cached_page_runs_no_sql_and_shows_a_new_thread_at_once(
    client, django_assert_num_queries
):
    as_reader(client, "visitor", 12)
    client.get("/")  # shows "progress saved": a page with a message is never cached
    first = client.get(episode_url(10))
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        again = client.get(episode_url(10))
    assert again["X-Page-Cache"] == "hit"

    ThreadFactory(board=board("episode-10"), title="A brand new thread")

    fresh = client.get(episode_url(10))
    assert fresh["X-Page-Cache"] == "miss"
    assert "A brand new thread" in fresh.text


def test_the_cached_page_of_an_early_reader_is_never_served_to_a_later_one(client, secret_thread):
    early = as_reader(Client(), "visitor", 3)
    assert SECRET_TITLE not in early.get(episode_url(9)).text

    late = as_reader(client, "visitor", 9)
    assert SECRET_TITLE in late.get(episode_url(9)).text
    assert SECRET_TITLE not in early.get(episode_url(9)).text
