"""The whole-page cache (fansite.web.pagecache) never shows a reader a spoiler beyond
their progress and never shows stale content after a write.

Each test first fills the cache with the page as one reader sees it, then asks
for the same page as a different reader, or after a change, and checks what
comes back. The ``X-Page-Cache`` header says whether the page came from the
cache, so every test also proves the cache was really in play.
"""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.comments.services import edit_comment, post_comment, remove_comment, start_thread
from fansite.episodes.models import Episode
from fansite.moderation import services as moderation
from fansite.spoilers.readers import progress_message
from fansite.threads.models import Board
from fansite.users.services import update_profile
from fansite.web import pagecache
from fansite.web.lru import LocalLRU
from tests.spoilers.readers import revealing
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret title marmoset-7781"
SECRET_POST = "Secret opening post ibex-3390"
SECRET_REPLY = "Secret reply gecko-1204"


@pytest.fixture
def author():
    return UserFactory(username="writer", display_name="Writer", watched_up_to=12)


@pytest.fixture
def thread(author):
    """An episode-9 thread with one reply."""
    thread = start_thread(
        board=Board.objects.get(slug="episode-9"),
        author=author,
        title=SECRET_TITLE,
        body=SECRET_POST,
    )
    post_comment(target=thread, author=author, body=SECRET_REPLY)
    return thread


def visitor(progress):
    client = Client()
    if progress:
        # Following the redirect shows (and so uses up) the "progress saved" message.
        response = client.post(
            reverse("spoilers:progress_update"), {"watched_up_to": progress}, follow=True
        )
        assert response.redirect_chain
    return client


def member(progress, **fields):
    client = Client()
    user = UserFactory(watched_up_to=progress, **fields)
    client.force_login(user)
    return client, user


def get(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response, response.content.decode()


def fill(client, url):
    """Ask until the answer comes from the cache: the first request may show a
    pending message (not cached), the next fills the cache, the third hits."""
    for _attempt in range(3):
        response, html = get(client, url)
        if response.get("X-Page-Cache") == "hit":
            return html
    raise AssertionError(f"{url} never came from the cache")


# --- Spoilers ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["thread", "board", "home", "board list"])
def test_a_page_cached_for_a_late_reader_is_not_served_to_an_early_one(thread, page):
    url = {
        "thread": thread.get_absolute_url(),
        "board": reverse("threads:board_detail", kwargs={"slug": "episode-9"}),
        "home": reverse("articles:article_list"),
        "board list": reverse("threads:board_list"),
    }[page]
    late = fill(visitor(12), url)
    assert SECRET_TITLE in late

    for early in (visitor(3), member(3)[0], visitor(0)):
        response, html = get(early, url)
        assert SECRET_TITLE not in html
        assert SECRET_POST not in html
        assert "Spoiler for episode 9" in html
        # The early reader's own page is cached too, and stays spoiler-free.
        response, html = get(early, url)
        assert response["X-Page-Cache"] == "hit"
        assert SECRET_TITLE not in html


def test_a_revealed_page_is_cached_apart_from_the_gated_one(thread):
    url = thread.get_absolute_url()
    reader = visitor(3)
    revealed_url = revealing(reader, url, thread)
    revealed = fill(reader, revealed_url)
    assert SECRET_POST in revealed

    response, html = get(visitor(3), url)
    assert SECRET_POST not in html
    # The order of the reader's tokens does not matter; unknown parameters skip the cache.
    both = revealing(reader, revealed_url, "c1")
    response, _ = get(reader, both)
    assert response["X-Page-Cache"] == "miss"
    path, _, query = both.partition("?")
    response, _ = get(reader, f"{path}?{'&'.join(reversed(query.split('&')))}")
    assert response["X-Page-Cache"] == "hit"
    response, _ = get(visitor(3), f"{url}?utm=x")
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("owner_kind", ["visitor", "member"])
@pytest.mark.parametrize("other_kind", ["visitor", "member"])
def test_a_page_revealed_by_one_reader_is_never_served_to_another(thread, owner_kind, other_kind):
    owner = visitor(3) if owner_kind == "visitor" else member(3)[0]
    other = visitor(3) if other_kind == "visitor" else member(3)[0]
    address = revealing(owner, thread.get_absolute_url(), thread)
    assert SECRET_POST in fill(owner, address)

    # The same address, cached and all, shown to someone else: they are asked first.
    response, html = get(other, address)
    assert "X-Page-Cache" not in response
    assert "This link would show a spoiler for episode 9." in html
    for secret in (SECRET_TITLE, SECRET_POST, SECRET_REPLY):
        assert secret not in html
    # Once they choose to, they get a page of their own.
    choice = revealing(other, address.split("?")[0], thread)
    assert choice != address
    assert SECRET_POST in get(other, choice)[1]


def test_a_members_page_is_never_served_to_another_reader(thread, author):
    url = thread.get_absolute_url()
    client = Client()
    client.force_login(author)
    own = fill(client, url)
    assert "Edit</a>" in own
    assert "writer" in own

    other, _ = member(12)
    _, html = get(other, url)
    assert "Edit</a>" not in html
    _, html = get(visitor(12), url)
    assert "Edit</a>" not in html
    assert "Log out" not in html


def test_a_member_who_changes_progress_gets_the_page_for_their_new_progress(thread):
    client, _user = member(3)
    assert SECRET_POST not in fill(client, thread.get_absolute_url())

    response = client.post(reverse("spoilers:progress_update"), {"watched_up_to": 9})
    assert response.status_code == HTTPStatus.FOUND
    # The redirect carries a message ("progress saved"): that page is rendered afresh.
    client.get(thread.get_absolute_url())
    _, html = get(client, thread.get_absolute_url())
    assert SECRET_POST in html


# --- Fresh after every write ------------------------------------------------------------------


def test_a_new_comment_shows_at_once(thread, author):
    url = thread.get_absolute_url()
    reader = visitor(12)
    fill(reader, url)
    fill(visitor(12), reverse("articles:article_list"))

    post_comment(target=thread, author=author, body="Fresh comment lemur-5521")

    response, html = get(reader, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Fresh comment lemur-5521" in html


def test_a_comment_posted_through_the_form_shows_at_once(thread):
    url = thread.get_absolute_url()
    client, _user = member(12, date_joined=timezone.now() - timezone.timedelta(days=30))
    fill(client, url)
    response = client.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Posted through the form tarsier-8830"},
    )
    assert response.status_code == HTTPStatus.FOUND
    _, html = get(visitor(12), url)
    assert "Posted through the form tarsier-8830" in html
    client.get(url)  # the page with the "posted" message, if any
    _, html = get(client, url)
    assert "Posted through the form tarsier-8830" in html


def test_edits_removals_and_moderation_show_at_once(thread, author):
    url = thread.get_absolute_url()
    reply = Comment.objects.get(body=SECRET_REPLY)
    reader = visitor(12)
    fill(reader, url)

    edit_comment(comment=reply, editor=author, body="Edited reply civet-4410")
    _, html = get(reader, url)
    assert "Edited reply civet-4410" in html
    fill(reader, url)

    moderator = UserFactory(is_staff=True, is_superuser=True)
    moderation.hide_item(item=reply, moderator=moderator, reason="test")
    _, html = get(reader, url)
    assert "Edited reply civet-4410" not in html
    assert "Hidden by moderators" in html
    fill(reader, url)

    moderation.lock_thread(thread=thread, moderator=moderator, reason="test")
    _, html = get(reader, url)
    assert "This thread is locked" in html


def test_a_removed_comment_disappears_at_once(thread, author):
    url = thread.get_absolute_url()
    reply = Comment.objects.get(body=SECRET_REPLY)
    reader = visitor(12)
    fill(reader, url)
    remove_comment(comment=reply, user=author)
    _, html = get(reader, url)
    assert SECRET_REPLY not in html
    assert "Comment removed" in html


def test_a_new_display_name_shows_on_every_cached_page(thread, author):
    url = thread.get_absolute_url()
    reader = visitor(12)
    assert "Writer" in fill(reader, url)
    update_profile(member=author, display_name="Renamed Writer", bio="")
    _, html = get(reader, url)
    assert "Renamed Writer" in html


def test_an_article_edit_in_the_admin_shows_at_once():
    article = Article.objects.get()  # the source article
    url = article.get_absolute_url()
    reader = visitor(12)
    fill(reader, url)
    article.standfirst = "A new standfirst okapi-6612"
    article.save()
    _, html = get(reader, url)
    assert "A new standfirst okapi-6612" in html


def test_a_new_episode_title_shows_at_once(thread):
    url = reverse("threads:board_list")
    reader = visitor(12)
    fill(reader, url)
    board = Board.objects.get(slug="episode-9")
    board.title = "Episode nine, renamed"
    board.save()
    _, html = get(reader, url)
    assert "Episode nine, renamed" in html


def test_the_bump_is_repeated_after_the_commit(django_capture_on_commit_callbacks, thread):
    url = thread.get_absolute_url()
    reader = visitor(12)
    fill(reader, url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pagecache.bump(pagecache.thread_scope(thread.pk))
    # Straight away, for this process…
    response, _ = get(reader, url)
    assert response["X-Page-Cache"] == "miss"
    get(reader, url)
    # …and again once the transaction commits, for pages rendered meanwhile.
    for callback in callbacks:
        callback()
    response, _ = get(reader, url)
    assert response["X-Page-Cache"] == "miss"


# --- Who and what is never cached -----------------------------------------------------------


def test_staff_and_banned_members_always_get_a_fresh_page(thread):
    url = thread.get_absolute_url()
    staff, _ = member(12, is_staff=True)
    response, _ = get(staff, url)
    response, _ = get(staff, url)
    assert "X-Page-Cache" not in response

    banned, _ = member(12, banned_until=timezone.now() + timezone.timedelta(days=1))
    get(banned, url)
    response, html = get(banned, url)
    assert "X-Page-Cache" not in response
    assert "suspended" in html.lower() or "banned" in html.lower()


def test_a_pending_message_is_shown_not_a_cached_page(thread):
    url = thread.get_absolute_url()
    client = visitor(0)
    fill(client, url)
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": 4, "next": url})
    response, html = get(client, url)
    assert "X-Page-Cache" not in response
    assert progress_message(4) in html


def test_a_cached_page_carries_the_readers_own_csrf_token(thread):
    url = reverse("articles:article_list")
    first = Client(enforce_csrf_checks=True)
    fill(first, url)

    second = Client(enforce_csrf_checks=True)
    response, html = get(second, url)
    assert response["X-Page-Cache"] == "hit"
    assert pagecache.CSRF_SENTINEL not in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = second.post(
        reverse("spoilers:progress_update"), {"watched_up_to": 5, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == HTTPStatus.FOUND


def test_a_cache_hit_runs_no_queries_for_a_visitor(thread, django_assert_max_num_queries):
    url = thread.get_absolute_url()
    reader = Client()
    fill(reader, url)
    with django_assert_max_num_queries(0):
        response = reader.get(url)
    assert response["X-Page-Cache"] == "hit"


def test_the_cache_can_be_turned_off(thread, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = visitor(12)
    get(client, thread.get_absolute_url())
    response, _ = get(client, thread.get_absolute_url())
    assert "X-Page-Cache" not in response


def test_episode_rows_changing_drop_every_page(thread):
    reader = visitor(12)
    url = thread.get_absolute_url()
    fill(reader, url)
    episode = Episode.objects.get(position=9)
    episode.title = "A title from the editors"
    episode.save()
    response, _ = get(reader, url)
    assert response["X-Page-Cache"] == "miss"


def test_a_new_release_never_serves_the_old_releases_pages(thread, monkeypatch):
    url = thread.get_absolute_url()
    reader = visitor(12)
    fill(reader, url)
    # What a deploy changes: the digest of the templates and code.
    monkeypatch.setattr(pagecache, "CODE_VERSION", "next-release")
    response, _ = get(reader, url)
    assert response["X-Page-Cache"] == "miss"


def test_the_code_version_follows_templates_and_code(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    (tmp_path / "fansite").mkdir()
    template = tmp_path / "templates" / "page.html"
    module = tmp_path / "fansite" / "views.py"
    template.write_text("<p>{{ one }}</p>")
    module.write_text("ONE = 1\n")
    first = pagecache._code_version()

    template.write_text("<p>{{ two }}</p>")
    second = pagecache._code_version()
    module.write_text("ONE = 2\n")
    third = pagecache._code_version()

    assert len({first, second, third}) == 3


def test_a_workers_own_copy_is_checked_against_the_shared_generations(thread, author):
    """The page a worker keeps in memory is served only while the shared generations
    are the ones it was rendered under: a write in another worker (here, straight
    in the shared cache) makes it stale at once."""
    url = thread.get_absolute_url()
    reader = visitor(12)
    fill(reader, url)
    assert pagecache.local_pages.entries

    # Another worker's write: only the shared cache changes, not this process's copy.
    cache = pagecache._cache()
    cache.set(pagecache._generation_key(pagecache.thread_scope(thread.pk)), "elsewhere", None)
    Comment.objects.filter(body=SECRET_REPLY).update(body_html="<p>Changed elsewhere</p>")
    response, html = get(reader, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Changed elsewhere" in html


def test_the_workers_copies_stay_within_their_byte_budget(settings):
    pages = LocalLRU(max_bytes=100, weight=pagecache._page_weight)
    for number in range(5):
        pages.put(f"page-{number}", (["g"], "text/html", (b"x" * 20, b"y" * 20)), 60)
    assert pages.size <= 100
    assert list(pages.entries) == ["page-3", "page-4"]
    pages.put("too-big", (["g"], "text/html", (b"x" * 101,)), 60)
    assert pages.get("too-big") is None
    pages.put("gone", (["g"], "text/html", (b"x",)), -1)
    assert pages.get("gone") is None
    assert pages.get_many(["gone", "page-4", "page-0"]) == {
        "page-4": (["g"], "text/html", (b"x" * 20, b"y" * 20))
    }


@pytest.mark.parametrize(
    "template",
    [
        "articles/article_list.html",
        "articles/article_detail.html",
        "threads/board_list.html",
        "threads/board_detail.html",
        "threads/thread_detail.html",
        "comments/_comments.html",
        "base.html",
    ],
)
def test_cached_pages_show_no_relative_times(template):
    """A cached page lives for minutes: "3 minutes ago" would go on saying so.
    Cached pages give times as dates."""
    from django.template.loader import get_template

    source = get_template(template).template.source
    assert "timesince" not in source
    assert "timeuntil" not in source
    assert "naturaltime" not in source
