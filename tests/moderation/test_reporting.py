"""Reporting through the pages: the report form for comments, threads and
members, its refusals, and the links that lead to it."""

import re
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.moderation.models import Report
from fansite.moderation.services import PERMANENT_BAN_UNTIL
from fansite.threads.models import Thread
from tests.spoilers.readers import revealing
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

THANKS = "Thanks — moderators will take a look."


def report_url(kind, pk):
    return reverse("moderation:report_create", args=[kind, pk])


def report(client, kind, pk, reason="spam", details="", follow=False):
    return client.post(report_url(kind, pk), {"reason": reason, "details": details}, follow=follow)


def logged_in(client, **kwargs):
    member = UserFactory(watched_up_to=kwargs.pop("watched_up_to", 12), **kwargs)
    client.force_login(member)
    return member


def make_moderator(**kwargs):
    moderator = UserFactory(is_staff=True, watched_up_to=12, **kwargs)
    moderator.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_thread", "change_comment"],
            content_type__app_label__in=["threads", "comments"],
        )
    )
    return moderator


def textarea_value(response, name="details"):
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert match, f"no textarea {name}"
    return match.group(1).strip()


# --- Reporting each kind of item ----------------------------------------------------------


def test_member_reports_a_comment_on_a_thread(client):
    thread = ThreadFactory()
    comment = reply(thread, body="Buy cheap phones at example.com")
    reporter = logged_in(client)

    response = report(client, "comment", comment.pk, reason="spam", details="Advert", follow=True)

    assert response.redirect_chain[0][0] == comment.get_absolute_url()
    assert response.redirect_chain[-1][0].endswith(f"#{comment.anchor}")
    assert THANKS in response.text
    saved = Report.objects.get()
    assert saved.reporter == reporter
    assert saved.comment == comment
    assert saved.reported_author == comment.author
    assert saved.reason == Report.Reason.SPAM
    assert saved.details == "Advert"
    assert saved.status == Report.Status.OPEN


def test_member_reports_a_comment_on_the_article(client):
    article = Article.objects.get()
    comment = post_comment(target=article, author=UserFactory(), body="Off-topic rambling")
    reporter = logged_in(client)

    response = report(client, "comment", comment.pk, reason="off_topic")

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == comment.get_absolute_url()
    saved = Report.objects.get()
    assert (saved.reporter, saved.comment, saved.reported_author) == (
        reporter,
        comment,
        comment.author,
    )
    assert saved.reason == Report.Reason.OFF_TOPIC


def test_member_reports_a_thread(client):
    thread = ThreadFactory(title="Rude thread")
    logged_in(client)

    response = report(client, "thread", thread.pk, reason="harassment", follow=True)

    assert response.redirect_chain == [(thread.get_absolute_url(), HTTPStatus.FOUND)]
    assert THANKS in response.text
    saved = Report.objects.get()
    assert saved.thread == thread
    assert saved.reported_author == thread.author
    assert saved.reason == Report.Reason.HARASSMENT


def test_member_reports_another_member(client):
    member = UserFactory(username="troll")
    logged_in(client)

    response = report(
        client, "member", member.pk, reason="other", details="Impersonates the cast", follow=True
    )

    assert response.redirect_chain == [(member.get_absolute_url(), HTTPStatus.FOUND)]
    assert THANKS in response.text
    saved = Report.objects.get()
    assert saved.member == member
    assert saved.reported_author == member
    assert saved.details == "Impersonates the cast"


def test_report_page_shows_the_form_with_every_reason(client):
    comment = reply(ThreadFactory(), body="A perfectly ordinary comment")
    logged_in(client)

    response = client.get(report_url("comment", comment.pk))

    assert response.status_code == HTTPStatus.OK
    html = response.text
    assert "<fieldset" in html
    assert "<legend>What is wrong with it?</legend>" in html
    for value, label in Report.Reason.choices:
        assert f'value="{value}"' in html
        assert str(label) in html
    assert '<textarea name="details"' in html
    assert "A perfectly ordinary comment" in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("kind", ["article", "user", "board"])
def test_unknown_kind_is_not_found(client, kind):
    logged_in(client)
    response = client.get(f"/report/{kind}/1/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_removed_comment_cannot_be_reported(client):
    comment = reply(ThreadFactory())
    Comment.objects.filter(pk=comment.pk).update(is_removed=True)
    logged_in(client)
    assert client.get(report_url("comment", comment.pk)).status_code == HTTPStatus.NOT_FOUND
    assert report(client, "comment", comment.pk).status_code == HTTPStatus.NOT_FOUND
    assert not Report.objects.exists()


# --- Refusals -----------------------------------------------------------------------------


def test_own_comment_is_refused_and_text_kept(client):
    author = logged_in(client)
    comment = reply(ThreadFactory(), author=author)

    response = report(client, "comment", comment.pk, details="I regret this")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You cannot report your own posts." in response.text
    assert textarea_value(response) == "I regret this"
    assert not Report.objects.exists()


def test_own_thread_is_refused(client):
    author = logged_in(client)
    thread = ThreadFactory(author=author)
    response = report(client, "thread", thread.pk)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You cannot report your own posts." in response.text
    assert not Report.objects.exists()


def test_reporting_yourself_is_refused(client):
    member = logged_in(client)
    response = report(client, "member", member.pk, details="testing")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You cannot report your own profile." in response.text
    assert textarea_value(response) == "testing"
    assert not Report.objects.exists()


def test_second_open_report_on_the_same_item_is_refused(client):
    comment = reply(ThreadFactory())
    logged_in(client)
    report(client, "comment", comment.pk)

    response = report(client, "comment", comment.pk, reason="harassment", details="Again!")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You have already reported this; moderators will look at it." in response.text
    assert textarea_value(response) == "Again!"
    assert Report.objects.count() == 1


def test_report_page_says_when_you_already_reported(client):
    thread = ThreadFactory()
    logged_in(client)
    report(client, "thread", thread.pk)

    response = client.get(report_url("thread", thread.pk))

    assert response.status_code == HTTPStatus.OK
    assert "You have already reported this; moderators will look at it." in response.text
    assert '<form method="post"' not in response.text.split("</header>", 1)[1]


def test_a_new_report_is_possible_once_the_earlier_one_is_closed(client):
    comment = reply(ThreadFactory())
    logged_in(client)
    report(client, "comment", comment.pk)
    Report.objects.update(status=Report.Status.DISMISSED)

    response = report(client, "comment", comment.pk)

    assert response.status_code == HTTPStatus.FOUND
    assert Report.objects.count() == 2


def test_other_without_details_is_a_form_error_and_keeps_the_choice(client):
    comment = reply(ThreadFactory())
    logged_in(client)

    response = report(client, "comment", comment.pk, reason="other", details="   ")

    assert response.status_code == HTTPStatus.OK
    assert "You chose “Other”: tell moderators what is wrong in a few words." in response.text
    assert re.search(r'value="other"[^>]*checked', response.text)
    assert not Report.objects.exists()


def test_missing_reason_is_a_form_error_and_keeps_the_details(client):
    thread = ThreadFactory()
    logged_in(client)

    response = client.post(report_url("thread", thread.pk), {"details": "Something is off"})

    assert response.status_code == HTTPStatus.OK
    assert "Choose a reason for your report." in response.text
    assert textarea_value(response) == "Something is off"
    assert not Report.objects.exists()


def test_banned_member_is_refused_with_the_reason(client):
    logged_in(
        client,
        banned_until=timezone.now() + timedelta(days=3),
        ban_reason="Spoiling the finale on purpose",
    )
    comment = reply(ThreadFactory())

    response = report(client, "comment", comment.pk, reason="spam", details="My text")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "and cannot report." in response.text
    assert "Reason: Spoiling the finale on purpose" in response.text
    assert textarea_value(response) == "My text"
    assert not Report.objects.exists()


def test_permanently_banned_member_is_told_before_typing(client):
    logged_in(client, banned_until=PERMANENT_BAN_UNTIL, ban_reason="Harassment")
    thread = ThreadFactory()

    response = client.get(report_url("thread", thread.pk))

    assert response.status_code == HTTPStatus.OK
    assert "You are banned permanently and cannot report." in response.text
    assert "Reason: Harassment" in response.text
    assert '<textarea name="details"' not in response.text


def test_visitor_is_sent_to_log_in_first(client):
    thread = ThreadFactory()
    url = report_url("thread", thread.pk)

    response = client.get(url)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_visitor_post_keeps_the_text_and_offers_to_log_in(client):
    thread = ThreadFactory()
    url = report_url("thread", thread.pk)

    response = report(client, "thread", thread.pk, reason="spam", details="Typed before expiry")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Log in to report something to the moderators." in response.text
    assert textarea_value(response) == "Typed before expiry"
    assert f'href="{reverse("account_login")}?{urlencode({"next": url})}"' in response.text
    assert not Report.objects.exists()


def test_too_many_reports_are_limited_and_keep_the_text(client, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"report": ["2/m/user"]}
    thread = ThreadFactory()
    first, second, third = (reply(thread, body=f"Comment {n}") for n in range(3))
    logged_in(client)
    assert report(client, "comment", first.pk).status_code == HTTPStatus.FOUND
    assert report(client, "comment", second.pk).status_code == HTTPStatus.FOUND

    response = report(client, "comment", third.pk, reason="spam", details="Third one")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "sent many reports in a short time. Try again in" in response.text
    assert int(response["Retry-After"]) >= 1
    assert textarea_value(response) == "Third one"
    assert Report.objects.count() == 2


def test_a_form_error_does_not_count_against_the_report_limit(client, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"report": ["1/m/user"]}
    thread = ThreadFactory()
    logged_in(client)
    assert report(client, "thread", thread.pk, reason="").status_code == HTTPStatus.OK

    assert report(client, "thread", thread.pk).status_code == HTTPStatus.FOUND


# --- Spoilers on the report page -----------------------------------------------------------


def test_report_page_for_a_gated_comment_shows_its_label_not_its_text(client):
    thread = ThreadFactory(board=board("episode-2"), title="Early days")
    comment = reply(thread, body="Secret: Cheong-san does not make it", spoils_episode=11)
    logged_in(client, watched_up_to=3)

    response = client.get(report_url("comment", comment.pk))

    assert response.status_code == HTTPStatus.OK
    assert "Cheong-san" not in response.text
    assert "Spoiler for episode 11" in response.text
    assert "Early days" in response.text


def test_report_page_reveals_a_gated_comment_only_on_request(client):
    thread = ThreadFactory(board=board("episode-2"))
    comment = reply(thread, body="Secret: Cheong-san does not make it", spoils_episode=11)
    logged_in(client, watched_up_to=3)

    response = client.get(revealing(client, report_url("comment", comment.pk), comment))

    assert "Secret: Cheong-san does not make it" in response.text


def test_report_page_never_shows_inline_spoilers_or_a_gated_thread_title(client):
    thread = ThreadFactory(board=board("episode-2"), title="Who dies at the end", spoils_episode=12)
    comment = reply(thread, body="Fine so far >!but the secret ending!< yes", spoils_episode=12)
    logged_in(client, watched_up_to=12)
    # A reader who has seen everything still gets inline spoilers as "[spoiler]".
    response = client.get(report_url("comment", comment.pk))
    assert "the secret ending" not in response.text
    assert "Fine so far [spoiler] yes" in response.text

    logged_in(client, watched_up_to=1)
    for kind, pk in [("comment", comment.pk), ("thread", thread.pk)]:
        response = client.get(report_url(kind, pk))
        assert response.status_code == HTTPStatus.OK
        assert "Who dies at the end" not in response.text
        assert "Fine so far" not in response.text
        assert "Spoiler for episode 12" in response.text


def test_report_page_after_a_refusal_still_hides_gated_text(client):
    thread = ThreadFactory(board=board("episode-1"), title="Gym secrets", spoils_episode=9)
    logged_in(client, watched_up_to=1)
    report(client, "thread", thread.pk)

    response = report(client, "thread", thread.pk, details="again")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Gym secrets" not in response.text
    assert "Spoiler for episode 9" in response.text


def test_report_page_for_a_hidden_comment_shows_a_placeholder(client):
    comment = reply(ThreadFactory(), body="Hateful words here")
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    logged_in(client)

    response = client.get(report_url("comment", comment.pk))

    assert "Hateful words here" not in response.text
    assert "Hidden by moderators" in response.text


# --- Report links -------------------------------------------------------------------------


def report_links(response):
    return set(re.findall(r'href="(/report/[a-z]+/\d+/)"', response.text))


def test_thread_page_offers_report_links_to_members(client):
    thread = ThreadFactory()
    others = reply(thread, body="Someone else")
    me = logged_in(client)
    mine = reply(thread, author=me, body="My own words")
    removed = reply(thread, body="Withdrawn")
    Comment.objects.filter(pk=removed.pk).update(is_removed=True)
    opener = Comment.objects.filter(thread=thread).order_by("pk").first()

    links = report_links(client.get(thread.get_absolute_url()))

    assert report_url("thread", thread.pk) in links
    assert report_url("comment", opener.pk) in links
    assert report_url("comment", others.pk) in links
    assert report_url("comment", mine.pk) not in links
    assert report_url("comment", removed.pk) not in links


def test_authors_get_no_report_link_for_their_own_thread(client):
    me = logged_in(client)
    thread = ThreadFactory(author=me)
    links = report_links(client.get(thread.get_absolute_url()))
    assert report_url("thread", thread.pk) not in links
    opener = Comment.objects.get(thread=thread)
    assert report_url("comment", opener.pk) not in links


def test_visitors_get_no_report_links(client):
    thread = ThreadFactory()
    reply(thread)
    member = UserFactory()
    assert report_links(client.get(thread.get_absolute_url())) == set()
    assert report_links(client.get(member.get_absolute_url())) == set()
    article = Article.objects.get()
    post_comment(target=article, author=UserFactory(), body="Nice read")
    assert report_links(client.get(article.get_absolute_url())) == set()


def test_article_comments_have_report_links(client):
    article = Article.objects.get()
    comment = post_comment(target=article, author=UserFactory(), body="Nice read")
    logged_in(client)
    links = report_links(client.get(article.get_absolute_url()))
    assert report_url("comment", comment.pk) in links


def test_profile_offers_to_report_the_member_but_not_yourself(client):
    member = UserFactory()
    me = logged_in(client)
    assert report_links(client.get(member.get_absolute_url())) == {report_url("member", member.pk)}
    assert report_url("member", me.pk) not in report_links(client.get(me.get_absolute_url()))


def test_report_link_leads_to_the_report_page(client):
    thread = ThreadFactory(title="A thread worth reporting")
    logged_in(client)
    page = client.get(thread.get_absolute_url())
    (link,) = [url for url in report_links(page) if "/thread/" in url]

    response = client.get(link)

    assert response.status_code == HTTPStatus.OK
    assert "Report a thread" in response.text
    assert "A thread worth reporting" in response.text


# --- Auto-hide ----------------------------------------------------------------------------


def test_three_reporters_hide_a_comment_for_everyone_else(client, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    thread = ThreadFactory()
    comment = reply(thread, body="Offensive remark about the cast")

    for number in range(3):
        logged_in(client)
        response = report(client, "comment", comment.pk, reason="harassment")
        assert response.status_code == HTTPStatus.FOUND
        comment.refresh_from_db()
        assert comment.is_hidden is (number == 2)

    visitor = logged_in(client)
    page = client.get(thread.get_absolute_url())
    assert "Offensive remark about the cast" not in page.text
    assert "Hidden by moderators" in page.text
    assert report_url("comment", comment.pk) not in report_links(page)
    assert visitor.pk != comment.author_id


def test_the_same_member_reporting_twice_does_not_count_twice(client, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    comment = reply(ThreadFactory(), body="Borderline")
    logged_in(client)
    report(client, "comment", comment.pk)
    report(client, "comment", comment.pk)
    comment.refresh_from_db()
    assert comment.is_hidden is False


def test_three_reporters_hide_a_thread(client, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    thread = ThreadFactory(title="Leaked season two plot")
    for _ in range(3):
        logged_in(client)
        report(client, "thread", thread.pk)

    logged_in(client)
    response = client.get(thread.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert "This thread has been hidden by moderators." in response.text
    assert "Leaked season two plot" not in response.text
    assert Thread.objects.get(pk=thread.pk).is_hidden


def test_moderators_still_read_an_auto_hidden_comment(client, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 1
    thread = ThreadFactory()
    comment = reply(thread, body="Reported text")
    logged_in(client)
    report(client, "comment", comment.pk)

    client.force_login(make_moderator())
    page = client.get(thread.get_absolute_url())

    assert "Reported text" in page.text
    assert "Hidden by moderators: only moderators see this text." in page.text
