"""The "Top" order of a thread's comments and the "Best comments" strip."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.reactions.services import set_reaction
from fansite.threads.models import Thread
from tests.users.factories import UserFactory

SECRET = "The class president was bitten"


@pytest.fixture
def long_thread(comment, jiho, settings):
    """Ji-ho's thread with 12 top-level comments by others (five a page), oldest
    first, each an hour apart; its opening post is ``comment.thread``'s first."""
    settings.COMMENTS_PER_PAGE = 5
    thread = comment.thread
    authors = UserFactory.create_batch(3)
    start = timezone.now() - timedelta(days=2)
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            author=authors[n % 3],
            body=f"Take {n}",
            body_html=f"<p>Take {n}</p>",
            created_at=start + timedelta(hours=n),
        )
        for n in range(12)
    )
    return thread


def takes(html):
    """The "Take n" comments of a page, in their order."""
    return [int(n) for n in re.findall(r"<p>Take (\d+)</p>", html)]


def take(n):
    return Comment.objects.get(body=f"Take {n}")


def react(comment, kinds, count):
    for _ in range(count):
        set_reaction(member=UserFactory(), comment=comment, kind=kinds["like"], on=True)


def page_links(html):
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'<a href="([^"]*sort=top[^"]*page=\d+[^"]*)#comments"', html)
    ]


def test_top_puts_the_opening_post_first_then_reacted_by_score_then_the_newest(
    client, long_thread, kinds
):
    react(take(2), kinds, 3)
    react(take(9), kinds, 1)
    react(take(5), kinds, 1)

    html = client.get(f"{long_thread.get_absolute_url()}?sort=top").text

    assert "Who's up there?" in html.split("<p>Take")[0]  # the opening post leads
    # 2 has most; 9 and 5 tie on reactions and the newer (9) wins; then the
    # comments without reactions, newest first.
    assert takes(html) == [2, 9, 5, 11]
    assert '<span aria-current="true">Top</span>' in html


def test_a_newer_comment_needs_fewer_reactions_than_an_older_one(long_thread, kinds):
    old, new = take(0), take(11)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=14))
    old.refresh_from_db()
    react(old, kinds, 3)  # log2(4) = 2, but two weeks older
    react(new, kinds, 1)  # log2(2) = 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.top_score > old.top_score


def test_top_pages_never_repeat_or_skip_a_comment_when_scores_change(client, long_thread, kinds):
    url = f"{long_thread.get_absolute_url()}?sort=top"
    first = client.get(url).text
    seen = takes(first)
    links = page_links(first)
    assert links
    assert all("at=" in link for link in links)

    # Between the reader's pages, a comment from a later page climbs to the top.
    react(take(0), kinds, 5)
    post_comment(target=long_thread, author=UserFactory(), body="Brand new", spoils_episode=0)

    for link in dict.fromkeys(links):
        seen += takes(client.get(link).text)
    assert sorted(seen) == list(range(12))
    assert len(seen) == 12

    # A new visit gets the new order, with the new comment.
    fresh = client.get(url).text
    assert takes(fresh)[0] == 0


def test_the_order_is_worked_out_again_after_the_snapshot_lapses(
    client, long_thread, kinds, settings
):
    url = f"{long_thread.get_absolute_url()}?sort=top"
    assert takes(client.get(url).text)[0] == 11
    react(take(3), kinds, 1)  # a reaction alone drops no page
    assert takes(client.get(url).text)[0] == 11
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.TOP_SNAPSHOT_SECONDS + 5)):
        assert takes(client.get(url).text)[0] == 3


def test_a_lapsed_snapshot_falls_back_to_the_current_order_and_says_so(client, long_thread):
    html = client.get(f"{long_thread.get_absolute_url()}?sort=top&at=gone&page=2").text
    assert "The Top order has changed since you opened it" in html
    assert len(takes(html)) == 5


def test_each_order_is_cached_apart(client, long_thread):
    url = long_thread.get_absolute_url()
    for query in ("", "?sort=newest", "?sort=top"):
        assert client.get(url + query)["X-Page-Cache"] == "miss"
    oldest, newest = client.get(url), client.get(url + "?sort=newest")
    assert oldest["X-Page-Cache"] == newest["X-Page-Cache"] == "hit"
    assert takes(oldest.text)[:2] == [0, 1]
    assert takes(newest.text)[:2] == [11, 10]


@pytest.mark.parametrize("count", [6, 60])
def test_top_pages_run_a_constant_number_of_queries(
    client, comment, kinds, settings, django_assert_max_num_queries, count
):
    settings.COMMENTS_PER_PAGE = 5
    authors = UserFactory.create_batch(3)
    Comment.objects.bulk_create(
        Comment(
            thread=comment.thread, author=authors[n % 3], body=f"Take {n}", body_html="<p>x</p>"
        )
        for n in range(count)
    )
    client.force_login(UserFactory(watched_up_to=12))
    url = f"{comment.thread.get_absolute_url()}?sort=top&page=2"
    # The thread page's 10, the snapshot, reactions' 3 with the cache empty.
    with django_assert_max_num_queries(10 + 1 + 3):
        response = client.get(url)
    assert response.status_code == 200
    for link in page_links(response.text):
        with django_assert_max_num_queries(10 + 3):
            client.get(link)


def test_a_jump_in_the_top_order_lands_on_the_comments_page(client, long_thread, kinds):
    react(take(4), kinds, 2)
    response = client.get(f"/threads/{long_thread.pk}/latest/?sort=top")
    location = response["Location"]
    newest = take(11)
    assert "sort=top" in location
    assert "at=" in location
    assert location.endswith(f"#comment-{newest.pk}")
    assert f'id="comment-{newest.pk}"' in client.get(location).text


@pytest.fixture
def best_setup(long_thread, jiho, kinds, relaxed_posting_limits):
    secret = post_comment(target=long_thread, author=jiho, body=SECRET, spoils_episode=9)
    react(secret, kinds, 4)
    react(take(1), kinds, 2)
    react(take(7), kinds, 1)
    react(take(8), kinds, 1)
    return secret


def best_strip(html):
    found = re.search(r'<section class="best-comments".*?</section>', html, re.S)
    return found[0] if found else ""


def test_best_comments_show_the_top_three_gated_as_cards(client, best_setup, long_thread, onjo):
    client.force_login(onjo)  # watched up to 3
    strip = best_strip(client.get(long_thread.get_absolute_url()).text)
    assert SECRET not in strip
    assert "Spoiler for episode 9" in strip
    assert "4 reactions" in strip
    assert "<p>Take 1</p>" in strip
    assert "<p>Take 8</p>" in strip
    assert "<p>Take 7</p>" not in strip  # fourth

    client.force_login(UserFactory(watched_up_to=12))
    strip = best_strip(client.get(long_thread.get_absolute_url()).text)
    assert SECRET in strip


def test_best_comments_only_on_the_first_page_of_a_long_thread(client, best_setup, long_thread):
    url = long_thread.get_absolute_url()
    assert best_strip(client.get(url).text)
    assert not best_strip(client.get(url + "?page=2").text)
    assert not best_strip(client.get(url + "?sort=top").text)


def test_best_comments_leave_out_hidden_comments(client, best_setup, long_thread):
    Comment.objects.filter(body="Take 1").update(is_hidden=True)
    assert "<p>Take 1</p>" not in best_strip(client.get(long_thread.get_absolute_url()).text)


def test_nothing_reacted_means_no_strip(client, long_thread):
    assert best_strip(client.get(long_thread.get_absolute_url()).text) == ""


def test_a_thread_nobody_reacted_in_reads_nothing_for_the_strip(
    long_thread, kinds, django_assert_num_queries
):
    from fansite.comments.selectors import best_comments

    untouched = Thread.objects.get(pk=long_thread.pk)
    with django_assert_num_queries(0):
        assert best_comments(untouched) == []
    react(take(3), kinds, 1)
    reacted = Thread.objects.get(pk=long_thread.pk)
    with django_assert_num_queries(1):
        assert [c.body for c in best_comments(reacted)] == ["Take 3"]
