"""Reactions on thread pages: the bar filled into cached and uncached pages, the
form that works without JavaScript, the fragment site.js asks for, and what a
reader who has not caught up is shown."""

import re
import time
from datetime import timedelta

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.reactions.models import Reaction
from fansite.reactions.services import set_reaction
from tests.users.factories import UserFactory

SECRET = "Cheong-san waits on the roof"


def react_url(comment):
    return f"/comments/{comment.pk}/react/"


def bar_of(html, comment):
    """The bar under ``comment``'s card on a page ("" when it has none)."""
    card = html.split(f'id="comment-{comment.pk}"', 1)[1].split("</article>", 1)[0]
    found = re.search(r'<(form|div|p) class="reactions.*?</\1>', card, re.S)
    return found[0] if found else ""


@pytest.fixture
def thread_url(comment):
    return comment.thread.get_absolute_url()


def test_a_member_reacts_without_javascript_and_returns_to_the_comment(
    client, comment, onjo, kinds, thread_url
):
    client.force_login(onjo)
    page = client.get(thread_url).text
    bar = bar_of(page, comment)
    # No reactions yet: no buttons, a "React" link to every kind.
    assert "<button" not in bar
    link = re.search(r'class="reactions__add" href="([^"]+)"', bar)[1].replace("&amp;", "&")
    assert page.count('<template id="reaction-picker">') == 1  # for site.js, once
    # The link alone, no form per comment: site.js wraps the page's one form around it.
    assert bar.startswith('<div class="reactions" data-reactions-bare>')
    assert "csrfmiddlewaretoken" not in bar
    assert page.count('<template id="reaction-form">') == 1

    picker = client.get(link).text
    assert 'name="react" value="sad:on" aria-pressed="false"' in picker
    assert f'name="next" value="{thread_url}#comment-{comment.pk}"' in picker

    response = client.post(
        react_url(comment), {"react": "sad:on", "next": f"{thread_url}#comment-{comment.pk}"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{thread_url}#comment-{comment.pk}"
    bar = bar_of(client.get(thread_url).text, comment)
    assert 'name="react" value="sad:off" aria-pressed="true"' in bar
    assert "1 person reacted sad" in bar
    assert Reaction.objects.filter(member=onjo, kind=kinds["sad"]).count() == 1


def test_the_same_form_sent_twice_neither_doubles_nor_undoes(client, comment, onjo, kinds):
    client.force_login(onjo)
    for _ in range(2):
        client.post(react_url(comment), {"react": "love:on"})
    assert Reaction.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.reaction_total == 1


def test_with_javascript_the_new_bar_comes_back_alone(client, comment, onjo, kinds):
    client.force_login(onjo)
    response = client.post(
        react_url(comment), {"react": "funny:on"}, headers={"X-Fansite-Fragment": "reactions"}
    )
    assert response.status_code == 200
    assert response.text.startswith('<form class="reactions"')
    assert 'value="funny:off" aria-pressed="true"' in response.text
    assert "1 person reacted funny" in response.text


def test_own_comment_shows_counts_but_no_buttons_and_reacting_is_refused(
    client, comment, jiho, onjo, kinds, thread_url
):
    set_reaction(member=onjo, comment=comment, kind=kinds["like"], on=True)
    client.force_login(jiho)
    bar = bar_of(client.get(thread_url).text, comment)
    assert "<button" not in bar
    assert "1 person reacted like" in bar

    response = client.post(
        react_url(comment), {"react": "like:on"}, headers={"X-Fansite-Fragment": "reactions"}
    )
    assert response.status_code == 403
    assert "your own comment" in response.text


def test_visitors_see_counts_and_who_reacted_but_no_buttons(
    client, comment, onjo, kinds, thread_url
):
    set_reaction(member=onjo, comment=comment, kind=kinds["zombie"], on=True)
    bar = bar_of(client.get(thread_url).text, comment)
    assert "<button" not in bar
    assert "1 person reacted zombie" in bar
    assert f'href="/comments/{comment.pk}/reactions/"' in bar

    response = client.post(react_url(comment), {"react": "zombie:on"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_banned_members_get_no_buttons_and_are_refused(client, comment, kinds, thread_url):
    banned = UserFactory(banned_until=timezone.now() + timedelta(days=3))
    client.force_login(banned)
    assert "<button" not in bar_of(client.get(thread_url).text, comment)
    response = client.post(react_url(comment), {"react": "like:on"})
    assert response.status_code == 403
    assert not Reaction.objects.exists()


def test_reactions_are_rate_limited(client, comment, onjo, kinds, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "react": ["3/m/user"]}
    client.force_login(onjo)
    statuses = [
        client.post(
            react_url(comment), {"react": f"like:{'on' if i % 2 == 0 else 'off'}"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_unknown_reactions_are_refused(client, comment, onjo):
    client.force_login(onjo)
    assert client.post(react_url(comment), {"react": "party:on"}).status_code == 400
    assert client.post(react_url(comment), {"react": "like:maybe"}).status_code == 400


def test_reactions_on_hidden_comments_are_kept_but_not_shown(
    client, comment, onjo, kinds, thread_url
):
    set_reaction(member=onjo, comment=comment, kind=kinds["like"], on=True)
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    client.force_login(UserFactory())
    assert bar_of(client.get(thread_url).text, comment) == ""
    assert client.get(f"/comments/{comment.pk}/reactions/").status_code == 404
    assert Reaction.objects.filter(comment=comment).count() == 1


def test_a_reaction_does_not_drop_cached_pages_and_counts_catch_up(
    client, comment, onjo, kinds, thread_url, settings
):
    settings.REACTION_COUNTS_SECONDS = 0  # every page recounts: no waiting in a test
    assert client.get(thread_url)["X-Page-Cache"] == "miss"

    set_reaction(member=onjo, comment=comment, kind=kinds["shocked"], on=True)
    set_reaction(member=UserFactory(), comment=comment, kind=kinds["shocked"], on=True)

    page = client.get(thread_url)
    assert page["X-Page-Cache"] == "hit"
    assert "2 people reacted shocked" in bar_of(page.text, comment)


def test_counts_may_lag_others_reactions_by_the_set_interval(
    client, comment, onjo, kinds, thread_url, settings
):
    settings.REACTION_COUNTS_SECONDS = 3600
    client.get(thread_url)  # counts the comment: nothing yet
    Reaction.objects.create(comment=comment, member=onjo, kind=kinds["like"])  # behind the cache
    assert "reacted like" not in bar_of(client.get(thread_url).text, comment)
    settings.REACTION_COUNTS_SECONDS = 0
    assert "1 person reacted like" in bar_of(client.get(thread_url).text, comment)


def test_totals_and_score_follow_each_reaction(comment, onjo, kinds):
    other = UserFactory()
    set_reaction(member=onjo, comment=comment, kind=kinds["like"], on=True)
    set_reaction(member=other, comment=comment, kind=kinds["like"], on=True)
    set_reaction(member=other, comment=comment, kind=kinds["love"], on=True)
    comment.refresh_from_db()
    assert comment.reaction_total == 3
    week = comment.created_at.timestamp() / (7 * 24 * 3600)
    assert comment.top_score == pytest.approx(2 + week)  # log2(1 + 3)
    assert comment.thread.__class__.objects.get(pk=comment.thread_id).reaction_total == 3

    for member, slug in ((onjo, "like"), (other, "like"), (other, "love")):
        set_reaction(member=member, comment=comment, kind=kinds[slug], on=False)
    comment.refresh_from_db()
    assert (comment.reaction_total, comment.top_score) == (0, 0)


@pytest.fixture
def gated(jiho, relaxed_posting_limits, comment, kinds):
    """A comment spoiling episode 9, with two reactions."""
    secret = post_comment(target=comment.thread, author=jiho, body=SECRET, spoils_episode=9)
    set_reaction(
        member=UserFactory(display_name="Reactor Nine"), comment=secret, kind=kinds["sad"], on=True
    )
    set_reaction(member=UserFactory(), comment=secret, kind=kinds["shocked"], on=True)
    return secret


def test_a_gated_comment_shows_only_its_total(client, gated, onjo, thread_url):
    client.force_login(onjo)  # watched up to 3
    html = client.get(thread_url).text
    assert SECRET not in html
    bar = bar_of(html, gated)
    assert bar == '<p class="reactions reactions--total">2 reactions</p>'

    caught_up = UserFactory(watched_up_to=12)
    client.force_login(caught_up)
    html = client.get(thread_url).text
    assert SECRET in html
    assert "1 person reacted sad" in bar_of(html, gated)


def test_who_reacted_never_leaks_a_gated_comment(client, gated, onjo):
    url = f"/comments/{gated.pk}/reactions/"
    client.force_login(onjo)
    page = client.get(url).text
    assert SECRET not in page
    assert "Spoiler for episode 9" in page
    assert "2 reactions" in page
    assert "Reactor Nine" not in page
    assert "reacted sad" not in page

    client.force_login(UserFactory(watched_up_to=12))
    page = client.get(url).text
    assert "Reactor Nine" in page
    assert SECRET not in page  # the page never carries the comment's text


def test_the_reactions_page_runs_few_queries(client, comment, kinds, django_assert_max_num_queries):
    for _ in range(20):
        set_reaction(member=UserFactory(), comment=comment, kind=kinds["like"], on=True)
    with django_assert_max_num_queries(12):
        response = client.get(f"/comments/{comment.pk}/reactions/")
    assert response.text.count('class="reactors__member"') == 20


def test_a_profile_shows_the_total_received_on_shown_comments_only(
    client, comment, gated, jiho, kinds
):
    set_reaction(member=UserFactory(), comment=comment, kind=kinds["like"], on=True)
    hidden = post_comment(target=comment.thread, author=jiho, body="Hidden later", spoils_episode=0)
    set_reaction(member=UserFactory(), comment=hidden, kind=kinds["like"], on=True)
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)

    page = client.get(jiho.get_absolute_url()).text
    # Ji-ho's comment (1) and his gated one (2): a total, never which comment.
    assert "3 reactions received" in page
    assert SECRET not in page


def test_the_react_page_refuses_ones_own_comment_and_visitors(client, comment, jiho):
    assert "/accounts/login/" in client.get(react_url(comment))["Location"]
    client.force_login(jiho)
    page = client.get(react_url(comment)).text
    assert "You can&#x27;t react to your own comment." in page
    assert "<button" not in page.split("<main", 1)[1].split("</main>")[0]


def test_a_comment_with_reactions_shows_them_as_buttons_to_members(
    client, comment, onjo, kinds, thread_url
):
    set_reaction(member=UserFactory(), comment=comment, kind=kinds["funny"], on=True)
    client.force_login(onjo)
    bar = bar_of(client.get(thread_url).text, comment)
    assert 'value="funny:on" aria-pressed="false"' in bar
    assert "funny. 1 person reacted funny" in bar
    assert 'value="sad:' not in bar  # the other kinds are behind "React"


def test_a_members_own_reactions_show_at_once_on_every_comment_of_the_page(
    client, comment, onjo, kinds, thread_url, settings
):
    settings.REACTION_COUNTS_SECONDS = 3600  # counts are not what changes here
    other = post_comment(author=comment.author, target=comment.thread, body="Another take")
    client.force_login(onjo)
    client.get(thread_url)  # the member's reactions (none) are now in the cache

    client.post(react_url(comment), {"react": "love:on"})
    client.post(react_url(other), {"react": "zombie:on"})
    page = client.get(thread_url).text

    assert 'value="love:off" aria-pressed="true"' in bar_of(page, comment)
    assert 'value="zombie:off" aria-pressed="true"' in bar_of(page, other)
    assert 'aria-pressed="true"' not in bar_of(page, other).replace(
        'value="zombie:off" aria-pressed="true"', ""
    )


def test_a_member_with_very_many_reactions_still_sees_their_own(
    client, comment, onjo, kinds, thread_url, monkeypatch
):
    from fansite.reactions import state

    monkeypatch.setattr(state, "MINE_MAX", 1)  # past it: each page asks the database
    others = [
        post_comment(author=comment.author, target=comment.thread, body=f"Take {n}")
        for n in range(2)
    ]
    for other in others:
        set_reaction(member=onjo, comment=other, kind=kinds["funny"], on=True)
    client.force_login(onjo)
    client.post(react_url(comment), {"react": "sad:on"})

    page = client.get(thread_url).text

    assert 'value="sad:off" aria-pressed="true"' in bar_of(page, comment)
    assert all('value="funny:off" aria-pressed="true"' in bar_of(page, o) for o in others)


def test_a_members_own_reaction_counts_even_where_a_process_kept_the_old_count(
    client, comment, onjo, kinds, thread_url, settings
):
    """Each process keeps recent counts, members' pages included. Another process's
    copy, counted before the member reacted, must not hide their reaction: it is
    older than their reactions as next read, so the page asks again."""
    from fansite.reactions import state

    settings.REACTION_COUNTS_SECONDS = 3600
    client.force_login(onjo)
    client.get(thread_url)
    counted_before = time.time()

    client.post(react_url(comment), {"react": "love:on"})
    state._local_counts[comment.pk] = (counted_before, {})  # as another process kept it
    bar = bar_of(client.get(thread_url).text, comment)

    assert 'value="love:off" aria-pressed="true"' in bar
    assert "1 person reacted love" in bar


def test_a_member_who_has_not_reacted_lately_is_served_this_processs_counts(
    client, comment, onjo, kinds, thread_url, settings
):
    """Without their reactions in the cache, a member has not reacted for
    MINE_SECONDS: the counts this process keeps already hold anything they gave,
    so their first page uses them, as a visitor's does, without asking again."""
    from fansite.reactions import state

    settings.REACTION_COUNTS_SECONDS = 3600
    state._local_counts[comment.pk] = (time.time(), {kinds["love"].pk: 4})  # this process only
    client.force_login(onjo)

    assert "4 people reacted love" in bar_of(client.get(thread_url).text, comment)


def test_a_members_removed_reaction_is_gone_even_where_a_process_kept_the_old_count(
    client, comment, onjo, kinds, thread_url, settings
):
    from fansite.reactions import state

    settings.REACTION_COUNTS_SECONDS = 3600
    client.force_login(onjo)
    client.post(react_url(comment), {"react": "love:on"})
    client.get(thread_url)
    counted_before = time.time()

    client.post(react_url(comment), {"react": "love:off"})
    state._local_counts[comment.pk] = (counted_before, {kinds["love"].pk: 1})  # another process's
    bar = bar_of(client.get(thread_url).text, comment)

    assert 'aria-pressed="true"' not in bar
    assert "reacted love" not in bar


def test_members_share_bars_cut_once_each_with_their_own_token_and_reactions(
    comment, kinds, thread_url, settings
):
    """Bars of members who neither wrote nor reacted to a comment of the page are
    cut around the token once for all of them (fansite.reactions.markers): each
    page carries its reader's own token, a member who reacted sees their
    reaction pressed and the next member does not, and new counts are drawn."""
    settings.REACTION_COUNTS_SECONDS = 0  # counts read afresh for every page
    set_reaction(member=UserFactory(), comment=comment, kind=kinds["funny"], on=True)
    reacted = UserFactory(watched_up_to=3)
    set_reaction(member=reacted, comment=comment, kind=kinds["love"], on=True)

    def bar_for(member):
        reader = Client()
        reader.force_login(member)
        bar = bar_of(reader.get(thread_url).text, comment)
        (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar)
        assert _unmask_cipher_token(token) == reader.cookies["csrftoken"].value
        return bar.replace(token, "TOKEN"), token

    first, first_token = bar_for(UserFactory(watched_up_to=3))
    theirs, _token = bar_for(reacted)
    second, second_token = bar_for(UserFactory(watched_up_to=3))

    assert first == second
    assert first_token != second_token
    assert 'value="love:off" aria-pressed="true"' in theirs
    assert 'aria-pressed="true"' not in second
    assert "funny. 1 person reacted funny" in second

    set_reaction(member=UserFactory(), comment=comment, kind=kinds["funny"], on=True)
    third, _token = bar_for(UserFactory(watched_up_to=3))
    assert "funny. 2 people reacted funny" in third


def test_the_picker_comes_once_with_a_members_first_bar_to_react_with(
    comment, jiho, kinds, thread_url
):
    """site.js's picker goes with the first bar its reader may react with: the
    page's first comment (the opening post) for most members, and for Ji-ho, who
    wrote both it and the next, the one after."""
    later = post_comment(author=UserFactory(), target=comment.thread, body="A later take")

    def picker_under(member):
        """The comment whose card carries the page's one picker."""
        reader = Client()
        reader.force_login(member)
        html = reader.get(thread_url).text
        assert html.count('id="reaction-picker"') == 1
        before = html.split('id="reaction-picker"', 1)[0]
        return int(re.findall(r'<article[^>]* id="comment-(\d+)"', before)[-1])

    first = Comment.objects.filter(thread=comment.thread).order_by("pk").first()
    assert first != comment
    assert first.author == jiho
    assert picker_under(UserFactory(watched_up_to=3)) == first.pk
    assert picker_under(jiho) == later.pk
