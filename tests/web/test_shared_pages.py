"""Members share thread and article pages (fansite.spoilers.caching): one cached
page per progress, reveals and answers, with each member's own parts filled in
after the cache (the header's name, Edit and Delete on their comments, Report on
others', Raise for spoiler guards, what is new to them, their reactions).

Each test fills the cache as one member and asks as another, and checks that
the second really got the cached page (``X-Page-Cache: hit``) and that nothing
of the first member reached them.
"""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from fansite.articles.models import Article
from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board, ThreadRead
from fansite.users.models import User
from fansite.users.services import update_profile
from fansite.web.reversing import reverse_id
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret title okapi-5521"
SECRET_POST = "Secret opening post tapir-0047"
SECRET_REPLY = "Secret reply quokka-9913"


@pytest.fixture
def author():
    return UserFactory(username="writer", display_name="Writer Name", watched_up_to=12)


@pytest.fixture
def thread(author):
    """An episode-9 thread by ``author``, with a reply by someone else."""
    thread = start_thread(
        board=Board.objects.get(slug="episode-9"),
        author=author,
        title=SECRET_TITLE,
        body=SECRET_POST,
    )
    post_comment(target=thread, author=UserFactory(watched_up_to=12), body=SECRET_REPLY)
    return thread


def as_member(user):
    client = Client()
    client.force_login(user)
    return client


def get(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response, response.content.decode()


def me_link(html):
    """The header's link to the reader's own profile."""
    found = re.search(r'<a href="([^"]*)" class="user-nav__me">.*?<span>([^<]*)</span>', html)
    return found and (found[1], found[2])


def test_members_share_the_page_and_each_gets_their_own_parts(thread, author):
    url = thread.get_absolute_url()
    first, own = get(as_member(author), url)
    assert first["X-Page-Cache"] == "miss"
    other = UserFactory(username="reader", display_name="Other Reader", watched_up_to=12)

    response, html = get(as_member(other), url)

    assert response["X-Page-Cache"] == "hit"
    assert SECRET_REPLY in html
    assert me_link(own) == (author.get_absolute_url(), "Writer Name")
    assert me_link(html) == (other.get_absolute_url(), "Other Reader")
    assert "Writer Name</span></a></li>" not in html
    opener, answer = thread.comments.order_by("pk")
    # The author's own links are on their page only; the others' Report links on
    # everyone else's.
    for comment in (opener,):
        assert reverse_id("comments:comment_edit", pk=comment.pk) in own
        assert reverse_id("comments:comment_delete", pk=comment.pk) in own
        assert reverse_id("comments:comment_edit", pk=comment.pk) not in html
        assert reverse_id("moderation:report_create", "comment", pk=comment.pk) in html
        assert reverse_id("moderation:report_create", "comment", pk=comment.pk) not in own
    assert reverse_id("moderation:report_create", "comment", pk=answer.pk) in own
    assert reverse("threads:thread_edit", args=[thread.pk]) in own
    assert reverse("threads:thread_edit", args=[thread.pk]) not in html
    assert reverse("moderation:report_create", args=["thread", thread.pk]) in html
    assert reverse("moderation:report_create", args=["thread", thread.pk]) not in own
    # Reactions: a bar to react with on others' comments, counts alone on one's own.
    assert own.count("data-reactions-bare") == 1
    assert html.count("data-reactions-bare") == 2


def test_the_header_link_shows_a_new_name_at_once(thread, author):
    """The link is drawn once per process for the name it shows: a new name is a
    new link, on the very next page."""
    client = as_member(author)
    url = thread.get_absolute_url()
    get(client, url)
    update_profile(member=author, display_name="Renamed Writer", bio="")

    _, html = get(client, url)

    assert me_link(html) == (author.get_absolute_url(), "Renamed Writer")


def test_no_marker_is_left_on_any_readers_page(thread, author):
    url = thread.get_absolute_url()
    readers = [as_member(author), as_member(UserFactory(watched_up_to=12)), Client()]
    for client in readers + readers:
        _, html = get(client, url)
        assert not re.search(r"<!--(users|comments|threads|reactions|notifications):", html)


def test_a_spoiler_guard_gets_raise_links_on_the_shared_page(thread, author):
    url = thread.get_absolute_url()
    get(as_member(author), url)
    guard = UserFactory(watched_up_to=12, spoiler_guard=User.GuardRole.GUARD)

    response, html = get(as_member(guard), url)

    assert response["X-Page-Cache"] == "hit"
    for comment in thread.comments.all():
        assert reverse_id("moderation:guard_raise", "comment", pk=comment.pk) in html
    assert reverse("moderation:guard_raise", args=["thread", thread.pk]) in html


def test_an_early_members_shared_page_never_holds_a_later_ones_spoilers(thread, author):
    url = thread.get_absolute_url()
    get(as_member(author), url)
    early = as_member(UserFactory(watched_up_to=3))
    late = as_member(UserFactory(watched_up_to=12))

    for _attempt in range(2):
        response, html = get(early, url)
        for secret in (SECRET_TITLE, SECRET_POST, SECRET_REPLY):
            assert secret not in html
        assert "Spoiler for episode 9" in html
    assert response["X-Page-Cache"] == "hit"
    response, html = get(late, url)
    assert response["X-Page-Cache"] == "hit"
    for secret in (SECRET_TITLE, SECRET_POST, SECRET_REPLY):
        assert secret in html


def test_what_is_new_is_each_members_own_on_the_shared_page(thread, author):
    url = thread.get_absolute_url()
    returning = UserFactory(watched_up_to=12)
    newcomer = UserFactory(watched_up_to=12)
    get(as_member(returning), url)
    post_comment(target=thread, author=author, body="A later word")

    _, marked = get(as_member(returning), url)
    response, fresh = get(as_member(newcomer), url)

    assert response["X-Page-Cache"] == "hit"
    assert marked.count(" is-new") == 1
    assert "First new comment" in marked
    # Never opened: nothing is "new", but the page still moves their marker.
    assert " is-new" not in fresh
    assert "First new comment" not in fresh
    newest = thread.comments.order_by("-pk").first()
    assert ThreadRead.objects.last_seen(newcomer, thread) == newest.pk
    assert ThreadRead.objects.last_seen(returning, thread) == newest.pk


def test_a_members_own_comments_are_never_new_to_them(thread, author):
    url = thread.get_absolute_url()
    get(as_member(author), url)
    post_comment(target=thread, author=author, body="My own later word")

    _, html = get(as_member(author), url)

    assert " is-new" not in html


def test_a_gated_thread_is_not_marked_read(thread):
    early = UserFactory(watched_up_to=3)

    get(as_member(early), thread.get_absolute_url())

    assert ThreadRead.objects.last_seen(early, thread) is None


def test_a_locked_threads_author_gets_no_edit_link(thread, author):
    thread.is_locked = True
    thread.save()

    _, html = get(as_member(author), thread.get_absolute_url())

    assert reverse("threads:thread_edit", args=[thread.pk]) not in html


def test_members_share_article_pages_too(author):
    article = Article.objects.published().order_by("published_at").first()
    comment = post_comment(target=article, author=author, body="On the article")
    url = article.get_absolute_url()
    get(as_member(author), url)
    other = UserFactory(watched_up_to=12)

    response, html = get(as_member(other), url)

    assert response["X-Page-Cache"] == "hit"
    assert me_link(html)[1] == other.public_name
    assert reverse_id("comments:comment_edit", pk=comment.pk) not in html
    assert reverse_id("moderation:report_create", "comment", pk=comment.pk) in html


def test_reverse_id_matches_reverse():
    assert reverse_id("comments:comment_edit", pk=7) == reverse("comments:comment_edit", args=[7])
    assert reverse_id("moderation:report_create", "thread", pk=12345) == reverse(
        "moderation:report_create", args=["thread", 12345]
    )
    with pytest.raises(ValueError, match="invalid literal"):
        reverse_id("comments:comment_edit", pk="7/../x")


def test_members_share_lists_with_their_own_read_state(thread, author):
    """A board page is one cached page for members: what is new to each is filled
    in after the cache, and reading the thread drops no page."""
    board_url = reverse("threads:board_detail", kwargs={"slug": "episode-9"})
    returning = UserFactory(watched_up_to=12, date_joined=thread.created_at)
    get(as_member(returning), thread.get_absolute_url())  # their marker: all read
    post_comment(target=thread, author=author, body="One more, unread")
    post_comment(target=thread, author=author, body="Two more, unread")
    newcomer = UserFactory(watched_up_to=12)

    _first, theirs = get(as_member(returning), board_url)
    response, fresh = get(as_member(newcomer), board_url)

    assert response["X-Page-Cache"] == "hit"
    assert "2 new" in theirs
    assert reverse("threads:thread_unread", args=[thread.pk]) in theirs
    assert "2 new" not in fresh
    # Joined after the thread started: it is not "New" to them either.
    assert "unread-new" not in fresh
    get(as_member(returning), thread.get_absolute_url())
    response, after = get(as_member(returning), board_url)
    assert response["X-Page-Cache"] == "hit"
    assert "2 new" not in after


def test_a_thread_started_since_a_member_joined_is_new_to_them(author):
    member = UserFactory(watched_up_to=12)
    thread = start_thread(
        board=Board.objects.get(slug="general"), author=author, title="Fresh", body="Hello."
    )
    board_url = reverse("threads:board_detail", kwargs={"slug": "general"})

    _, html = get(as_member(member), board_url)
    assert 'class="unread-new"' in html
    get(as_member(member), thread.get_absolute_url())
    _, html = get(as_member(member), board_url)
    assert 'class="unread-new"' not in html


class CacheTrips:
    """Counts the requests made of the default cache (locmem in tests; each a Redis
    round trip in production)."""

    def __init__(self, monkeypatch):
        from django.core.cache import caches

        self.calls = []
        self.depth = 0
        backend = caches["default"]
        for name in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many"):
            method = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._counted(name, method))

    def _counted(self, name, method):
        def counted(*args, **kwargs):
            if not self.depth:  # locmem's get_many calls its own get
                self.calls.append(name)
            self.depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                self.depth -= 1

        return counted


def test_a_members_cached_page_reads_the_cache_twice_the_session_and_the_page(
    thread, author, monkeypatch
):
    """Everything the markers read of the cache (the member's reactions, their unread
    count and follows) comes with the page, in its round trip."""
    url = thread.get_absolute_url()
    reader = UserFactory(watched_up_to=12)
    client = as_member(reader)
    get(client, url)
    get(client, url)  # the member's reactions and notices now in the cache
    trips = CacheTrips(monkeypatch)

    response, html = get(client, url)

    assert response["X-Page-Cache"] == "hit"
    assert 'class="follow-form"' in html
    assert "data-reactions-bare" in html
    assert trips.calls == ["get", "get_many"]


def test_a_hit_fills_the_markers_with_what_the_cache_holds_when_the_page_is_read(thread):
    """Read with the page, the member's own state is still the current one: following
    the thread elsewhere shows on their next page from the cache."""
    from fansite.notifications import services

    url = thread.get_absolute_url()
    reader = UserFactory(watched_up_to=12)
    client = as_member(reader)
    get(client, url)
    assert "Following · Unfollow" not in get(client, url)[1]

    services.follow(member=reader, target=thread)
    response, html = get(client, url)

    assert response["X-Page-Cache"] == "hit"
    assert "Following · Unfollow" in html


def follow_form(html):
    """The thread's Follow button: where it posts, its token, whether it is pressed."""
    found = re.search(
        r'<form class="follow-form" method="post" action="([^"]*)">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]*)">.*?'
        r'aria-pressed="(true|false)"',
        html,
    )
    return found and (found[1], found[2], found[3])


def test_each_member_gets_their_own_follow_button_and_token(thread, author):
    from fansite.notifications.services import follow

    url = thread.get_absolute_url()
    follower = UserFactory(watched_up_to=12)
    follow(member=follower, target=thread)
    others = [UserFactory(watched_up_to=12) for _member in range(2)]

    answers = [get(as_member(user), url) for user in (follower, *others, follower)]

    assert [response["X-Page-Cache"] for response, _html in answers[1:]] == ["hit"] * 3
    forms = [follow_form(html) for _response, html in answers]
    assert [pressed for _action, _token, pressed in forms] == ["true", "false", "false", "true"]
    assert forms[0][0] == forms[3][0] != forms[1][0] == forms[2][0]
    assert len({token for _action, token, _pressed in forms}) == 4


def test_a_follow_button_whose_address_holds_the_token_placeholder_still_works(thread):
    """The button is drawn once around a placeholder for the reader's token; an
    address carrying the placeholder's text must not cut it in the wrong place."""
    from fansite.web.pagecache import CSRF_SENTINEL

    client = as_member(UserFactory(watched_up_to=12))
    _response, html = get(client, f"{thread.get_absolute_url()}?q={CSRF_SENTINEL}")
    _action, token, pressed = follow_form(html)
    assert pressed == "false"
    assert token != CSRF_SENTINEL
    assert len(token) == 64
    assert f'name="next" value="{thread.get_absolute_url()}?q={CSRF_SENTINEL}"' in html
