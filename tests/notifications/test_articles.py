"""Comments on editorial articles notify as thread comments do: replies, quotes and
mentions (nobody follows an article), with the article's title gated like a thread's."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from fansite.comments.forms import quote_markdown
from fansite.episodes.models import Episode
from fansite.notifications.models import Notification
from fansite.notifications.services import notify_about_comment
from tests.articles.factories import ArticleFactory
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
CENTRE = reverse("notifications:notification_list")
LEVELS = (3, 9, 12)


def lines_of(member):
    return list(
        Notification.objects.filter(recipient=member)
        .order_by("pk")
        .values_list("kind", "count", "article__title")
    )


def test_a_reply_a_quote_and_a_mention_under_an_article(posting, alice, bob, carol):
    article = ArticleFactory(title="Making the school")
    first = posting.comment(article, alice, "Great read.")
    posting.comment(article, bob, "Agreed!", parent=first)
    posting.comment(article, carol, f"{quote_markdown(first)}\n\nSame.")
    posting.comment(article, carol, "What do you think, @bob?")

    assert lines_of(alice) == [
        (Kind.REPLY, 1, "Making the school"),
        (Kind.QUOTE, 1, "Making the school"),
    ]
    assert lines_of(bob) == [(Kind.MENTION, 1, "Making the school")]
    assert not Notification.objects.filter(recipient=carol).exists()
    # Nobody follows an article: its author hears nothing of a top-level comment.
    assert not Notification.objects.filter(recipient=article.author).exists()


def test_replies_under_an_article_group(posting, alice, bob, client):
    article = ArticleFactory(title="Making the school")
    first = posting.comment(article, alice, "Great read.")
    posting.comment(article, bob, "One.", parent=first)
    posting.comment(article, bob, "Two.", parent=first)
    client.force_login(alice)

    page = client.get(CENTRE).text

    assert lines_of(alice) == [(Kind.REPLY, 2, "Making the school")]
    assert "2 new replies to you in “Making the school”" in page


def test_an_unpublished_article_notifies_nobody_and_its_lines_leave(
    posting, alice, bob, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Pulled")
    first = posting.comment(article, alice, "Great read.")
    posting.comment(article, bob, "Yes.", parent=first)
    assert Notification.objects.for_member(alice).count() == 1

    article.status = article.Status.DRAFT
    article.save()

    assert Notification.objects.for_member(alice).count() == 0
    late = article.comments.create(author=bob, body="Still here?", parent=first)
    assert notify_about_comment(late.pk) == 0


@pytest.mark.parametrize("progress", [0, 3, 9, 12])
def test_an_articles_title_and_comment_are_gated_in_the_centre_and_email(posting, client, progress):
    reader = UserFactory(username="reader", watched_up_to=progress)
    jiho = UserFactory(username="jiho", display_name="Ji-ho", watched_up_to=12)
    for level in LEVELS:
        article = ArticleFactory(
            title=f"TITLE-SECRET-{level}", spoils_episode=Episode.objects.get(position=level)
        )
        posting.comment(article, jiho, f"@reader REPLY-SECRET-{level} and >!INLINE-SECRET!<")
    client.force_login(reader)

    page = client.get(CENTRE).text
    emails = [f"{m.subject}\n{m.body}\n{m.alternatives[0][0]}" for m in mail.outbox]

    assert len(emails) == 3
    watched = {level for level in LEVELS if level <= progress}
    for text in [page, *emails]:
        assert "INLINE-SECRET" not in text
        assert set(map(int, re.findall(r"SECRET-(\d+)", text))) <= watched
    for level in LEVELS:
        for where in (
            page,
            *[e for e in emails if f"SECRET-{level}" in e or f"spoiler for episode {level}" in e],
        ):
            assert (f"TITLE-SECRET-{level}" in where) == (level in watched)
            assert (f"REPLY-SECRET-{level}" in where) == (level in watched)
            if level not in watched:
                assert (
                    f"Ji-ho mentioned you in the comments on an article — spoiler for "
                    f"episode {level}"
                ) in where


def test_an_article_re_tagged_later_gates_its_title_in_lines_about_it(posting, alice, bob, client):
    """The comment spoils nothing; the article it sits under now spoils episode 9."""
    article = ArticleFactory(title="ARTICLE-SECRET", spoils_episode=None)
    first = posting.comment(article, alice, "Great read.", spoils_episode=0)
    posting.comment(article, bob, "Indeed.", parent=first, spoils_episode=0)
    article.spoils_episode = Episode.objects.get(position=9)
    article.save()
    alice.watched_up_to = 3
    alice.save()
    client.force_login(alice)

    page = client.get(CENTRE).text

    assert "ARTICLE-SECRET" not in page
    assert "Bob replied in the comments on an article — spoiler for episode 9" in page
