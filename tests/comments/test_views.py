import datetime
import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment, CommentRevision
from tests.spoilers.readers import reader_for_client, revealing
from tests.users.factories import UserFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def create_url(target, kind="thread"):
    return reverse("comments:comment_create", kwargs={"kind": kind, "pk": target.pk})


def follow_page(client, response):
    """Follow a comment permalink redirect to the thread or article page."""
    page = client.get(response.url, follow=True)
    assert page.status_code == HTTPStatus.OK
    return page


def test_member_posts_a_comment_on_a_thread(client, member, thread):
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "Cheong-san is the *real* hero."})

    comment = Comment.objects.get(body="Cheong-san is the *real* hero.")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == comment.get_absolute_url()
    page = follow_page(client, response)
    assert page.redirect_chain[-1][0] == f"{thread.get_absolute_url()}#comment-{comment.pk}"
    html = page.content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert "Cheong-san is the <em>real</em> hero." in html
    assert "Nam On-jo" in html
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_member_posts_a_comment_on_the_article(client, member, article):
    client.force_login(member)

    response = client.post(create_url(article, "article"), {"body": "Great write-up."})

    comment = Comment.objects.get(body="Great write-up.")
    assert comment.article == article
    assert comment.spoiler_level == article.spoiler_level
    page = follow_page(client, response)
    assert page.redirect_chain[-1][0] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert "Great write-up." in page.content.decode()


def test_unknown_kind_of_target_is_not_found(client, member, thread):
    client.force_login(member)

    response = client.post(create_url(thread, "episode"), {"body": "Hello"})

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_reply_is_nested_under_its_parent(client, member, thread):
    parent = CommentFactory(thread=thread, body="Who survives the roof?")
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "Nobody knows yet.", "parent": parent.pk})

    reply = Comment.objects.get(body="Nobody knows yet.")
    assert reply.parent == parent
    assert reply.reply_to is None
    html = follow_page(client, response).content.decode()
    replies = html[html.index(f'id="comment-{parent.pk}"') :]
    assert 'class="comment-replies"' in replies
    assert replies.index(f'id="comment-{reply.pk}"') > 0


def test_reply_to_a_reply_joins_the_top_comment_and_names_whom_it_answers(client, member, thread):
    parent = CommentFactory(thread=thread, body="Top comment.")
    first_reply = CommentFactory(
        thread=thread, parent=parent, body="First reply.", author__display_name="Lee Su-hyeok"
    )
    client.force_login(member)

    response = client.post(
        create_url(thread), {"body": "Answering the reply.", "parent": first_reply.pk}
    )

    answer = Comment.objects.get(body="Answering the reply.")
    assert answer.parent == parent
    assert answer.reply_to == first_reply
    html = follow_page(client, response).content.decode()
    assert f'replying to <a href="#comment-{first_reply.pk}">@Lee Su-hyeok</a>' in html


def test_reply_link_prefills_the_form_with_the_parent(client, member, thread):
    parent = CommentFactory(thread=thread, author__display_name="Lee Su-hyeok")
    client.force_login(member)

    response = client.get(thread.get_absolute_url(), {"reply_to": parent.pk})

    html = response.content.decode()
    assert f'name="parent" value="{parent.pk}"' in html
    assert "Replying to" in html
    assert "@Lee Su-hyeok" in html


def test_quote_prefills_the_form_with_the_quoted_source(client, member, thread):
    quoted = CommentFactory(
        thread=thread, body="The lab **started** it.\nThen the school.", author__username="suhyeok"
    )
    client.force_login(member)

    response = client.get(thread.get_absolute_url(), {"quote": quoted.pk})

    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    assert textarea.group(1).strip() == (
        f"&gt; [@suhyeok wrote](/comments/{quoted.pk}/):\n&gt;\n"
        "&gt; The lab **started** it.\n&gt; Then the school."
    )
    assert f'name="parent" value="{quoted.pk}"' in response.content.decode()


def test_quote_of_a_gated_comment_is_refused_and_nothing_is_prefilled(client, thread):
    reader = UserFactory(watched_up_to=3)
    secret = CommentFactory(thread=thread, body="Nam-ra becomes a hambie.", spoils_episode_id=9)
    client.force_login(reader)

    response = client.get(thread.get_absolute_url(), {"quote": secret.pk})

    html = response.content.decode()
    assert "spoils episode 9, which you have not watched" in html
    assert "Nam-ra becomes a hambie" not in html
    assert "hambie" not in html
    assert re.search(r"<textarea[^>]*>\s*</textarea>", html)
    assert f'name="parent" value="{secret.pk}"' not in html


def test_markdown_is_rendered_and_raw_html_is_escaped(client, member, thread):
    client.force_login(member)

    response = client.post(
        create_url(thread),
        {"body": "**Bold** move <script>alert('x')</script> >!the twist!<"},
    )

    html = follow_page(client, response).content.decode()
    assert "<strong>Bold</strong> move" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert '<span class="spoiler__content">the twist</span>' in html


def test_empty_comment_is_rejected_with_the_form(client, member, thread):
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "   ", "spoils_episode": "9"})

    assert response.status_code == HTTPStatus.OK
    assert "Write something before posting." in response.content.decode()
    assert not Comment.objects.filter(thread=thread, parent__isnull=False).exists()
    assert Comment.objects.filter(thread=thread).count() == 1  # the opening post


def test_comment_of_only_invisible_characters_is_rejected_and_the_text_kept(client, member, thread):
    client.force_login(member)

    response = client.post(create_url(thread), {"body": " \u200b\u200c\n\u200d\u2060\ufeff "})

    assert response.status_code == HTTPStatus.OK
    assert "Write something before posting." in response.content.decode()
    assert "\u200b\u200c\n\u200d\u2060\ufeff </textarea>" in response.content.decode()
    assert Comment.objects.filter(thread=thread).count() == 1  # the opening post


def test_control_characters_are_removed_from_comments_and_edits(client, member, thread):
    client.force_login(member)

    client.post(create_url(thread), {"body": "\x1b[31mRed\x1b[0m text\x7f\r\nnext\x85line"})
    comment = Comment.objects.get(author=member)
    assert comment.body == "Red text\nnext\nline"
    assert "\x1b" not in follow_page(client, client.get(comment.get_absolute_url())).text

    edit_url = reverse("comments:comment_edit", kwargs={"pk": comment.pk})
    client.post(edit_url, {"body": "Edited\x00 \x9b1mfine\x1b"})
    comment.refresh_from_db()
    assert comment.body == "Edited fine"


def test_too_long_comment_is_rejected_and_the_text_kept(client, member, thread):
    client.force_login(member)
    body = "Long " + "x" * 10_000

    response = client.post(create_url(thread), {"body": body})

    assert response.status_code == HTTPStatus.OK
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert body in response.content.decode()


def test_locked_thread_refuses_with_a_message_and_keeps_the_text(client, member, thread):
    type(thread).objects.filter(pk=thread.pk).update(is_locked=True)
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "My carefully typed theory."})

    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "This thread is locked: it takes no new comments." in html
    assert "My carefully typed theory." in html
    assert "Back to the thread" in html
    assert not Comment.objects.filter(body="My carefully typed theory.").exists()


def test_locked_thread_page_shows_the_refusal_instead_of_the_form(client, member, thread):
    type(thread).objects.filter(pk=thread.pk).update(is_locked=True)
    client.force_login(member)

    html = client.get(thread.get_absolute_url()).content.decode()

    assert "This thread is locked: it takes no new comments." in html
    assert "<textarea" not in html
    assert ">Reply<" not in html


def test_banned_member_is_refused_with_the_reason_and_keeps_the_text(client, thread):
    banned = UserFactory(
        banned_until=timezone.now() + datetime.timedelta(days=3), ban_reason="Posting spoilers"
    )
    client.force_login(banned)

    response = client.post(create_url(thread), {"body": "Let me in!"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "You are banned from posting until" in html
    assert "Reason: Posting spoilers" in html
    assert "Let me in!" in html
    assert not Comment.objects.filter(body="Let me in!").exists()


def test_banned_member_sees_the_ban_on_the_thread_page(client, thread):
    banned = UserFactory(
        banned_until=timezone.now() + datetime.timedelta(days=3), ban_reason="Posting spoilers"
    )
    client.force_login(banned)

    html = client.get(thread.get_absolute_url()).content.decode()

    assert "Reason: Posting spoilers" in html
    assert "<textarea" not in html


def test_anonymous_post_asks_to_log_in_and_keeps_the_text(client, thread):
    response = client.post(create_url(thread), {"body": "Drive-by opinion."})

    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "Log in to post." in html
    assert "Drive-by opinion." in html
    assert f"{reverse('account_login')}?next=" in html
    assert not Comment.objects.filter(body="Drive-by opinion.").exists()


def test_anonymous_reader_sees_a_login_link_instead_of_the_form(client, thread):
    html = client.get(thread.get_absolute_url()).content.decode()

    assert "Log in to join the discussion" in html
    assert f"{reverse('account_login')}?next={thread.get_absolute_url()}" in html
    assert "<textarea" not in html


def test_deactivated_member_cannot_post_and_keeps_the_text(client, member, thread):
    client.force_login(member)
    type(member).objects.filter(pk=member.pk).update(is_active=False)

    response = client.post(create_url(thread), {"body": "Still here?"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Still here?" in response.content.decode()
    assert not Comment.objects.filter(body="Still here?").exists()


def test_csrf_token_is_required(member, thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    refused = client.post(create_url(thread), {"body": "No token."})

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert not Comment.objects.filter(body="No token.").exists()
    page = client.get(thread.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    accepted = client.post(
        create_url(thread), {"body": "With token.", "csrfmiddlewaretoken": token.group(1)}
    )
    assert accepted.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(body="With token.").exists()


def test_author_edits_a_comment_and_the_earlier_version_is_kept(client, member, thread):
    comment = CommentFactory(thread=thread, author=member, body="First draft.")
    client.force_login(member)
    edit_url = reverse("comments:comment_edit", kwargs={"pk": comment.pk})

    form = client.get(edit_url)
    assert form.status_code == HTTPStatus.OK
    assert "First draft." in form.content.decode()

    response = client.post(edit_url, {"body": "Second, better draft."})

    comment.refresh_from_db()
    assert comment.body == "Second, better draft."
    assert comment.edited_at is not None
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["First draft."]
    html = follow_page(client, response).content.decode()
    assert "Second, better draft." in html
    assert "First draft." not in html
    card = html[html.index(f'id="comment-{comment.pk}"') :]
    assert re.search(r'class="comment__edited">edited <time datetime="', card)


def test_only_the_author_can_edit(client, thread):
    comment = CommentFactory(thread=thread, body="Mine, not yours.")
    client.force_login(UserFactory(watched_up_to=12))
    edit_url = reverse("comments:comment_edit", kwargs={"pk": comment.pk})

    get = client.get(edit_url)
    post = client.post(edit_url, {"body": "Vandalised."})

    assert get.status_code == HTTPStatus.FORBIDDEN
    assert "Only the author can change this comment." in get.content.decode()
    assert post.status_code == HTTPStatus.FORBIDDEN
    comment.refresh_from_db()
    assert comment.body == "Mine, not yours."
    assert not CommentRevision.objects.exists()


def test_edit_and_delete_links_only_on_the_authors_own_comments(client, member, thread):
    own = CommentFactory(thread=thread, author=member)
    other = CommentFactory(thread=thread)
    client.force_login(member)

    html = client.get(thread.get_absolute_url()).content.decode()

    assert reverse("comments:comment_edit", kwargs={"pk": own.pk}) in html
    assert reverse("comments:comment_delete", kwargs={"pk": own.pk}) in html
    assert reverse("comments:comment_edit", kwargs={"pk": other.pk}) not in html
    assert reverse("comments:comment_delete", kwargs={"pk": other.pk}) not in html


def test_author_deletes_a_comment_and_replies_stay(client, member, thread):
    comment = CommentFactory(thread=thread, author=member, body="Regrettable take.")
    reply = CommentFactory(thread=thread, parent=comment, body="A reply that stays.")
    client.force_login(member)
    delete_url = reverse("comments:comment_delete", kwargs={"pk": comment.pk})

    confirm = client.get(delete_url)
    assert confirm.status_code == HTTPStatus.OK
    assert "Delete comment" in confirm.content.decode()

    response = client.post(delete_url)

    comment.refresh_from_db()
    assert comment.is_removed
    html = follow_page(client, response).content.decode()
    card = html[html.index(f'id="comment-{comment.pk}"') : html.index(f'id="comment-{reply.pk}"')]
    assert "Comment removed" in card
    assert "Regrettable take." not in html
    assert "A reply that stays." in html


def test_only_the_author_can_delete(client, thread):
    comment = CommentFactory(thread=thread, body="Not yours to delete.")
    client.force_login(UserFactory())
    delete_url = reverse("comments:comment_delete", kwargs={"pk": comment.pk})

    assert client.get(delete_url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(delete_url).status_code == HTTPStatus.FORBIDDEN
    comment.refresh_from_db()
    assert not comment.is_removed


def test_permalink_jumps_to_the_page_showing_the_comment(client, settings, thread):
    settings.COMMENTS_PER_PAGE = 3
    # The opening post plus nine comments: ten top-level comments, four pages.
    comments = [Comment.objects.get(thread=thread)]
    comments += [CommentFactory(thread=thread) for _ in range(9)]
    reply = CommentFactory(thread=thread, parent=comments[7])
    url = thread.get_absolute_url()

    def location(comment):
        response = client.get(reverse("comments:comment_permalink", kwargs={"pk": comment.pk}))
        assert response.status_code == HTTPStatus.FOUND
        return response.url

    assert location(comments[0]) == f"{url}#comment-{comments[0].pk}"
    assert location(comments[2]) == f"{url}#comment-{comments[2].pk}"
    assert location(comments[3]) == f"{url}?page=2#comment-{comments[3].pk}"
    assert location(comments[6]) == f"{url}?page=3#comment-{comments[6].pk}"
    assert location(reply) == f"{url}?page=3#comment-{reply.pk}"
    assert location(comments[9]) == f"{url}?page=4#comment-{comments[9].pk}"
    page = client.get(f"{url}?page=3").content.decode()
    assert f'id="comment-{comments[6].pk}"' in page
    assert f'id="comment-{reply.pk}"' in page
    assert f'id="comment-{comments[3].pk}"' not in page


def test_permalink_keeps_reveals(client, thread):
    comment = CommentFactory(thread=thread, spoils_episode_id=9)
    permalink = reverse("comments:comment_permalink", kwargs={"pk": comment.pk})

    response = client.get(revealing(client, permalink, comment))

    token = reader_for_client(client).token(comment.reveal_key)
    assert response.url == f"{thread.get_absolute_url()}?reveal={token}#comment-{comment.pk}"


def test_spoiler_comment_on_the_thread_page_is_gated_for_early_readers(client, thread):
    secret = CommentFactory(thread=thread, body="Gwi-nam survives the fire.", spoils_episode_id=9)
    url = thread.get_absolute_url()
    client.force_login(UserFactory(watched_up_to=3))

    gated = client.get(url).content.decode()
    revealed = client.get(revealing(client, url, secret)).content.decode()

    assert "Gwi-nam survives the fire." not in gated
    assert "Spoiler for episode 9" in gated
    assert "Gwi-nam survives the fire." in revealed


def test_author_who_posts_a_later_spoiler_sees_it_after_posting(client, thread):
    author = UserFactory(watched_up_to=3)
    client.force_login(author)

    response = client.post(
        create_url(thread), {"body": "A spoiler I wrote myself.", "spoils_episode": "8"}
    )

    comment = Comment.objects.get(body="A spoiler I wrote myself.")
    assert comment.spoiler_level == 8
    assert "A spoiler I wrote myself." in follow_page(client, response).content.decode()


def test_author_cannot_lower_the_spoiler_level_below_the_thread(client, member):
    from .factories import ThreadFactory

    thread = ThreadFactory(spoils_episode=6)
    client.force_login(member)

    client.post(create_url(thread), {"body": "Claims to spoil nothing.", "spoils_episode": "1"})

    assert Comment.objects.get(body="Claims to spoil nothing.").spoiler_level == 6
