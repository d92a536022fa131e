"""The comments partial rendered on its own, as thread and article pages include it."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fansite.spoilers import tokens
from tests.users.factories import UserFactory

from .conftest import render_comments
from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def token(member, item):
    """The reveal token the site makes for ``member`` and ``item``."""
    return tokens.make(f"m{member.pk}", item.reveal_key)


SECRET = "Cheong-san stays behind to hold the door."


@pytest.fixture
def secret(thread):
    return CommentFactory(thread=thread, body=SECRET, spoils_episode_id=9)


def test_spoiler_beyond_the_readers_progress_is_left_out(thread, secret):
    html = render_comments(thread, user=UserFactory(watched_up_to=3))

    assert SECRET not in html
    assert "Cheong-san" not in html
    assert "Spoiler for episode 9" in html
    assert f'name="reveal" value="c{secret.pk}#comment-{secret.pk}"' in html


def test_spoiler_within_the_readers_progress_is_shown(thread, secret):
    html = render_comments(thread, user=UserFactory(watched_up_to=9))

    assert SECRET in html
    assert "Spoiler for episode 9" not in html


def test_revealed_spoiler_is_shown_and_marked(thread, secret):
    reader = UserFactory(watched_up_to=3)
    html = render_comments(thread, user=reader, query=f"reveal={token(reader, secret)}")

    assert SECRET in html
    assert "Spoiler for episode 9, shown at your request" in html


def test_a_reveal_made_for_someone_else_reveals_nothing(thread, secret):
    maker = UserFactory(watched_up_to=3)
    html = render_comments(
        thread, user=UserFactory(watched_up_to=3), query=f"reveal={token(maker, secret)}"
    )

    assert SECRET not in html
    assert "Spoiler for episode 9" in html


def test_anonymous_visitor_progress_comes_from_the_session(thread, secret):
    html = render_comments(thread)

    assert SECRET not in html
    assert "Spoiler for episode 9" in html


def test_revealing_one_spoiler_keeps_the_others_gated(thread, secret):
    later = CommentFactory(thread=thread, body="The finale twist.", spoils_episode_id=12)

    reader = UserFactory(watched_up_to=3)
    html = render_comments(thread, user=reader, query=f"reveal={token(reader, secret)}")

    assert SECRET in html
    assert "The finale twist." not in html
    assert f'id="comment-{later.pk}"' in html


def test_revealed_thread_shows_comments_up_to_its_level_only():
    from .factories import ThreadFactory

    thread = ThreadFactory(spoils_episode=9)
    within = CommentFactory(thread=thread, body="Within the thread's episode.")
    beyond = CommentFactory(thread=thread, body="Beyond the thread.", spoils_episode_id=11)
    reader = UserFactory(watched_up_to=3)

    gated = render_comments(thread, user=reader)
    revealed = render_comments(thread, user=reader, query=f"reveal={token(reader, thread)}")

    assert "Within the thread's episode." not in gated
    assert "Within the thread's episode." in revealed
    assert "Beyond the thread." not in revealed
    assert f'id="comment-{within.pk}"' in revealed
    assert f'id="comment-{beyond.pk}"' in revealed


def test_gated_comment_has_no_quote_link(thread, secret):
    html = render_comments(thread, user=UserFactory(watched_up_to=3))

    assert f"reply_to={secret.pk}#comment-form" in html
    assert f"quote={secret.pk}#comment-form" not in html


def test_removed_comment_shows_a_placeholder_without_actions(thread):
    removed = CommentFactory(thread=thread, body="Withdrawn words.", is_removed=True)

    html = render_comments(thread, user=UserFactory(watched_up_to=12))

    card = html[html.index(f'id="comment-{removed.pk}"') :]
    card = card[: card.index("</article>")]
    assert "Comment removed" in card
    assert "Withdrawn words." not in html
    assert "Reply" not in card
    assert "Permalink" not in card


def test_hidden_comment_shows_a_placeholder_to_members(thread):
    CommentFactory(thread=thread, body="Rule-breaking text.", is_hidden=True)

    html = render_comments(thread, user=UserFactory(watched_up_to=12))

    assert "Hidden by moderators" in html
    assert "Rule-breaking text." not in html


def test_moderator_sees_hidden_text_marked(thread):
    CommentFactory(thread=thread, body="Rule-breaking text.", is_hidden=True)
    moderator = UserFactory(watched_up_to=12)
    moderator.user_permissions.add(Permission.objects.get(codename="change_comment"))

    html = render_comments(thread, user=moderator)

    assert "Rule-breaking text." in html
    assert "Hidden by moderators: only moderators see this text." in html


def test_moderator_still_gets_spoiler_gating_on_hidden_comments(thread):
    CommentFactory(thread=thread, body="Hidden spoiler.", is_hidden=True, spoils_episode_id=10)
    moderator = UserFactory(watched_up_to=3)
    moderator.user_permissions.add(Permission.objects.get(codename="change_comment"))

    html = render_comments(thread, user=moderator)

    assert "Hidden spoiler." not in html
    assert "Spoiler for episode 10" in html


def test_comment_of_a_deleted_member(thread):
    CommentFactory(thread=thread, author=None, body="Orphaned comment.")

    html = render_comments(thread, user=UserFactory(watched_up_to=12))

    assert "[deleted member]" in html
    assert "Orphaned comment." in html


def test_heading_counts_every_comment(article):
    parent = CommentFactory(thread=None, article=article, spoils_episode_id=12)
    CommentFactory(thread=None, article=article, parent=parent, spoils_episode_id=12)

    html = render_comments(article, user=UserFactory(watched_up_to=12))

    assert "2 comments" in html


def test_pagination_links_keep_reveals(settings, thread):
    settings.COMMENTS_PER_PAGE = 2
    for _ in range(4):
        CommentFactory(thread=thread)

    reader = UserFactory()
    c99, t5 = tokens.make(f"m{reader.pk}", "c99"), tokens.make(f"m{reader.pk}", "t5")

    html = render_comments(thread, user=reader, query=f"reveal={c99}&reveal={t5}&page=2&reply_to=3")

    assert f'href="{thread.get_absolute_url()}?reveal={c99}&amp;reveal={t5}&amp;page=3' in html
    assert f'href="{thread.get_absolute_url()}?reveal={c99}&amp;reveal={t5}#comments"' in html


def test_rendering_runs_a_constant_number_of_queries(django_assert_max_num_queries, settings):
    from .factories import ThreadFactory

    settings.COMMENTS_PER_PAGE = 50
    quiet, busy = ThreadFactory(), ThreadFactory()
    members = UserFactory.create_batch(5)
    for index in range(40):
        parent = CommentFactory(thread=busy, author=members[index % 5])
        CommentFactory(thread=busy, parent=parent, author=members[(index + 1) % 5])
        CommentFactory(thread=busy, parent=parent, author=None, spoils_episode_id=9)

    def queries(thread):
        reader = UserFactory(watched_up_to=3)
        with CaptureQueriesContext(connection) as captured:
            html = render_comments(thread, user=reader)
        return len(captured), html

    render_comments(quiet, user=members[0])  # warms the cached episode list
    quiet_count, _html = queries(quiet)
    busy_count, html = queries(busy)

    assert busy_count == quiet_count
    with django_assert_max_num_queries(8):
        render_comments(busy, user=members[0])
    assert html.count('class="comment comment--reply"') == 80
    assert html.count('class="spoiler-gate"') == 40
