"""Issue 14, Writing: previewing a post before posting it.

The Preview button on every compose form posts the form as usual and gets the form back
with the rendered text above it, saving nothing; ``comments:comment_preview`` renders the
text for the live preview. Both render exactly as posting would store the text, so a
quoted spoiler stays inside its closed spoiler element.
"""

import datetime
import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.threads.models import Board, Thread
from tests.users.factories import UserFactory

from .factories import CommentFactory, ThreadFactory
from .test_quote_spoilers import (
    BLOCK_SECRET,
    INLINE_SECRET,
    SOURCE_BODY,
    assert_hidden_in,
    compose_body,
    outside_spoilers,
)

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("comments:comment_preview")


def create_url(target, kind="thread"):
    return reverse("comments:comment_create", kwargs={"kind": kind, "pk": target.pk})


def preview_section(response):
    """The rendered preview shown above the form."""
    page = response.content.decode()
    match = re.search(r'<section class="compose-preview" id="preview".*?</section>', page, re.S)
    assert match, "no preview on the page"
    return match.group(0)


def banned_member():
    return UserFactory(
        banned_until=timezone.now() + datetime.timedelta(days=3), ban_reason="Posting spoilers"
    )


@pytest.fixture
def member(client):
    member = UserFactory(display_name="Nam On-jo", watched_up_to=12)
    client.force_login(member)
    return member


# --- The Preview button -----------------------------------------------------------------


def test_preview_shows_the_rendered_text_above_the_kept_form_and_saves_nothing(
    client, member, thread
):
    parent = CommentFactory(thread=thread)
    comments_before = Comment.objects.count()

    response = client.post(
        create_url(thread),
        {
            "body": "Cheong-san is the *real* hero.",
            "spoils_episode": "7",
            "parent": parent.pk,
            "preview": "1",
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "Cheong-san is the <em>real</em> hero." in preview_section(response)
    assert compose_body(response) == "Cheong-san is the *real* hero."
    page = response.content.decode()
    assert re.search(r'<option value="7" selected>', page)
    assert re.search(rf'<input type="hidden" name="parent" value="{parent.pk}"', page)
    # The form posts to the same place, with its Post and Preview buttons.
    assert f'action="{create_url(thread)}"' in page
    assert 'name="preview"' in page
    assert Comment.objects.count() == comments_before
    thread = Thread.objects.get(pk=thread.pk)
    assert thread.reply_count == 0


def test_preview_counts_neither_as_a_post_nor_as_a_duplicate(client, member, thread, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": ["1/m/user"]}
    data = {"body": "Previewed twice, posted once.", "spoils_episode": ""}

    for _attempt in range(3):
        response = client.post(create_url(thread), {**data, "preview": "1"})
        assert response.status_code == HTTPStatus.OK

    response = client.post(create_url(thread), data)

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(body=data["body"]).count() == 1


def test_preview_is_refused_to_visitors_and_banned_members_as_posting_is(client, thread):
    data = {"body": "Let me preview!", "spoils_episode": "", "preview": "1"}

    response = client.post(create_url(thread), data)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Log in to post" in response.content.decode()
    assert 'id="preview"' not in response.content.decode()

    client.force_login(banned_member())
    response = client.post(create_url(thread), data)

    assert response.status_code == HTTPStatus.FORBIDDEN
    page = response.content.decode()
    assert "Reason: Posting spoilers" in page
    assert "Let me preview!" in page  # the text is kept, as for a refused post
    assert 'id="preview"' not in page
    assert not Comment.objects.filter(body="Let me preview!").exists()


def test_preview_needs_the_csrf_token(thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = client.post(create_url(thread), {"body": "Hello", "preview": "1"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Hello" not in response.content.decode()


def test_preview_of_an_invalid_form_shows_the_errors_not_a_preview(client, member, thread):
    response = client.post(create_url(thread), {"body": "   ", "preview": "1"})

    assert response.status_code == HTTPStatus.OK
    assert "Write something before posting." in response.content.decode()
    assert 'id="preview"' not in response.content.decode()


def test_preview_of_a_quote_keeps_the_quoted_spoilers_closed(client, thread):
    source = CommentFactory(thread=thread, body=SOURCE_BODY, author__username="cheongsan")
    # Watched up to episode 3 (the thread's level) and never opened a spoiler.
    client.force_login(UserFactory(watched_up_to=3))
    body = compose_body(client.get(thread.get_absolute_url(), {"quote": source.pk}))

    response = client.post(
        create_url(thread),
        {"body": body + "My take: brutal.", "parent": source.pk, "preview": "1"},
    )

    assert response.status_code == HTTPStatus.OK
    preview = preview_section(response)
    assert "My take: brutal." in preview
    # Resolved as on save, but only inside the spoiler elements, which stay closed.
    assert_hidden_in(preview, INLINE_SECRET, BLOCK_SECRET, "Nobody saw it coming")
    assert "<details open" not in preview
    page = response.content.decode()
    for secret in (INLINE_SECRET, BLOCK_SECRET, "Nobody saw it coming"):
        assert secret not in outside_spoilers(page)
    # The compose box still holds the references, not the text.
    assert INLINE_SECRET not in compose_body(response)
    assert Comment.objects.count() == 2  # the opening post and the source


def test_preview_on_the_edit_page_changes_nothing(client, member, thread):
    comment = CommentFactory(thread=thread, author=member, body="First version.")
    edit_url = reverse("comments:comment_edit", kwargs={"pk": comment.pk})

    response = client.post(edit_url, {"body": "Second **version**.", "preview": "1"})

    assert response.status_code == HTTPStatus.OK
    assert "Second <strong>version</strong>." in preview_section(response)
    assert compose_body(response) == "Second **version**."
    comment.refresh_from_db()
    assert comment.body == "First version."
    assert not comment.revisions.exists()


def test_preview_on_the_edit_page_is_only_for_the_author(client, member, thread):
    comment = CommentFactory(thread=thread, body="Someone else's words.")
    edit_url = reverse("comments:comment_edit", kwargs={"pk": comment.pk})

    response = client.post(edit_url, {"body": "Hijacked", "preview": "1"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert 'id="preview"' not in response.content.decode()


def test_preview_of_a_new_thread_starts_nothing(client, member):
    board = Board.objects.get(slug="episode-3")
    url = reverse("threads:thread_create", kwargs={"slug": board.slug})
    threads_before = Thread.objects.count()

    response = client.post(
        url,
        {
            "title": "Who survives?",
            "body": "My *theory*: >!Nam-ra!<",
            "spoils_episode": "3",
            "preview": "1",
        },
    )

    assert response.status_code == HTTPStatus.OK
    preview = preview_section(response)
    assert "My <em>theory</em>:" in preview
    assert_hidden_in(preview, "Nam-ra")
    page = response.content.decode()
    assert 'value="Who survives?"' in page
    assert compose_body(response) == "My *theory*: >!Nam-ra!<"
    assert Thread.objects.count() == threads_before


def test_preview_of_a_new_thread_is_refused_to_banned_members(client):
    client.force_login(banned_member())
    url = reverse("threads:thread_create", kwargs={"slug": "episode-3"})

    response = client.post(
        url, {"title": "Hi", "body": "Let me preview", "spoils_episode": "3", "preview": "1"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert 'id="preview"' not in response.content.decode()


def test_preview_on_the_thread_edit_page_keeps_the_old_title(client, member):
    thread = ThreadFactory(author=member, title="Old title")
    url = reverse("threads:thread_edit", kwargs={"pk": thread.pk})

    response = client.post(
        url, {"title": "New <b>title</b>", "spoils_episode": "3", "preview": "1"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "New &lt;b&gt;title&lt;/b&gt;" in preview_section(response)
    thread.refresh_from_db()
    assert thread.title == "Old title"


@pytest.mark.parametrize("page", ["thread", "article", "replies", "edit", "new thread"])
def test_every_compose_form_has_a_preview_button_and_no_toolbar_without_javascript(
    client, member, thread, page
):
    comment = CommentFactory(thread=thread, author=member)
    url = {
        "thread": thread.get_absolute_url(),
        "article": Article.objects.get().get_absolute_url(),
        "replies": reverse("comments:comment_replies", kwargs={"pk": comment.pk}),
        "edit": reverse("comments:comment_edit", kwargs={"pk": comment.pk}),
        "new thread": reverse("threads:thread_create", kwargs={"slug": "episode-3"}),
    }[page]

    response = client.get(url, follow=True)

    html = response.content.decode()
    form = re.search(r"<form[^>]*data-compose[^>]*>.*?</form>", html, re.S).group(0)
    assert re.search(r'<button[^>]*type="submit" name="preview"[^>]*>Preview</button>', form)
    # The toolbar exists only as an inert <template> the script builds from.
    without_templates = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    assert "compose-toolbar" not in without_templates
    assert 'data-insert="spoiler"' in form


# --- The live preview's endpoint ---------------------------------------------------------


def test_live_preview_returns_sanitized_html(client, member):
    response = client.post(
        PREVIEW_URL,
        {"body": "<script>alert('x')</script> **bold** [x](javascript:alert(1)) >!secret!<"},
    )

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html
    assert_hidden_in(html, "secret")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_live_preview_cannot_open_a_spoiler_by_markup(client, member):
    html = client.post(
        PREVIEW_URL,
        {
            "body": '<details open class="spoiler-block">raw</details>\n\n'
            '<input type="checkbox" class="spoiler__toggle" checked> >!closed!<'
        },
    ).content.decode()

    assert "<details open" not in html
    assert not re.search(r"<input[^>]*checked", html)
    assert_hidden_in(html, "closed")


def test_live_preview_of_a_quote_keeps_the_quoted_spoilers_closed(client, thread):
    source = CommentFactory(thread=thread, body=SOURCE_BODY)
    client.force_login(UserFactory(watched_up_to=3))
    body = compose_body(client.get(thread.get_absolute_url(), {"quote": source.pk}))

    html = client.post(PREVIEW_URL, {"body": body}).content.decode()

    assert_hidden_in(html, INLINE_SECRET, BLOCK_SECRET)


def test_live_preview_is_for_members_who_may_post(client):
    response = client.post(PREVIEW_URL, {"body": "hello"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Log in to post" in response.content.decode()

    client.force_login(banned_member())
    response = client.post(PREVIEW_URL, {"body": "hello"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Reason: Posting spoilers" in response.content.decode()


def test_live_preview_takes_only_posts_with_the_csrf_token(client, member):
    assert client.get(PREVIEW_URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(PREVIEW_URL, {"body": "hi"}).status_code == HTTPStatus.FORBIDDEN


def test_live_preview_is_rate_limited(client, member, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": ["3/m/user"]}

    for _attempt in range(3):
        assert client.post(PREVIEW_URL, {"body": "typing"}).status_code == HTTPStatus.OK
    response = client.post(PREVIEW_URL, {"body": "typing"})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "many previews" in response.content.decode()
    # The Preview button shares the limit, and says so with the text kept.
    thread = ThreadFactory()
    response = client.post(create_url(thread), {"body": "kept text", "preview": "1"})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "kept text" in response.content.decode()


def test_live_preview_refuses_text_too_long_to_post(client, member):
    response = client.post(PREVIEW_URL, {"body": "x" * 100_001})

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
