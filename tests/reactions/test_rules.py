from datetime import timedelta

import pytest
from django.utils import timezone

from fansite.reactions.models import Reaction, ReactionKind
from fansite.reactions.services import set_reaction
from fansite.users.standing import PostingRefused
from tests.users.factories import UserFactory


def test_the_site_starts_with_six_reactions_that_fit_the_show(kinds):
    assert [(k.slug, k.emoji) for k in ReactionKind.objects.all()] == [
        ("like", "👍"),
        ("love", "❤️"),
        ("funny", "😂"),
        ("sad", "😢"),
        ("shocked", "😱"),
        ("zombie", "🧟"),
    ]
    assert all(kind.is_enabled for kind in kinds.values())


def test_one_reaction_of_each_kind_per_member_and_comment(comment, onjo, kinds):
    assert set_reaction(member=onjo, comment=comment, kind=kinds["sad"], on=True)
    assert not set_reaction(member=onjo, comment=comment, kind=kinds["sad"], on=True)
    assert set_reaction(member=onjo, comment=comment, kind=kinds["zombie"], on=True)

    given = Reaction.objects.given_by(onjo, [comment.pk])
    assert given == {comment.pk: {kinds["sad"].pk, kinds["zombie"].pk}}
    assert Reaction.objects.count() == 2


def test_a_reaction_is_taken_back_once_and_a_second_take_back_changes_nothing(comment, onjo, kinds):
    set_reaction(member=onjo, comment=comment, kind=kinds["like"], on=True)

    assert set_reaction(member=onjo, comment=comment, kind=kinds["like"], on=False)
    assert not set_reaction(member=onjo, comment=comment, kind=kinds["like"], on=False)
    assert not Reaction.objects.exists()


def test_counts_are_per_comment_and_kind(comment, onjo, kinds):
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        set_reaction(member=fan, comment=comment, kind=kinds["shocked"], on=True)
    set_reaction(member=onjo, comment=comment, kind=kinds["love"], on=True)

    assert Reaction.objects.counts_for([comment.pk]) == {
        comment.pk: {kinds["shocked"].pk: 3, kinds["love"].pk: 1}
    }


def test_members_cannot_react_to_their_own_comments(comment, jiho, kinds):
    with pytest.raises(PostingRefused, match="your own comment"):
        set_reaction(member=jiho, comment=comment, kind=kinds["love"], on=True)

    assert not Reaction.objects.exists()


def test_banned_and_deactivated_members_cannot_react(comment, kinds):
    banned = UserFactory(banned_until=timezone.now() + timedelta(days=3))
    gone = UserFactory(is_active=False)

    for member in (banned, gone):
        with pytest.raises(PostingRefused):
            set_reaction(member=member, comment=comment, kind=kinds["like"], on=True)

    assert not Reaction.objects.exists()


def test_a_disabled_kind_is_refused_and_its_reactions_are_kept(comment, onjo, kinds):
    set_reaction(member=onjo, comment=comment, kind=kinds["funny"], on=True)
    ReactionKind.objects.filter(slug="funny").update(is_enabled=False)
    funny = ReactionKind.objects.get(slug="funny")

    with pytest.raises(PostingRefused, match="no longer offered"):
        set_reaction(member=UserFactory(), comment=comment, kind=funny, on=True)

    assert Reaction.objects.filter(kind=funny).count() == 1
    assert list(ReactionKind.objects.enabled().values_list("slug", flat=True)) == [
        "like",
        "love",
        "sad",
        "shocked",
        "zombie",
    ]


@pytest.mark.parametrize("change", ["is_hidden", "is_removed", "thread_hidden"])
def test_hidden_or_removed_comments_take_no_reactions_and_keep_theirs(comment, onjo, kinds, change):
    set_reaction(member=onjo, comment=comment, kind=kinds["sad"], on=True)
    if change == "thread_hidden":
        comment.thread.is_hidden = True
        comment.thread.save(update_fields=["is_hidden"])
    else:
        setattr(comment, change, True)
        comment.save(update_fields=[change])

    with pytest.raises(PostingRefused, match="no longer shown"):
        set_reaction(member=UserFactory(), comment=comment, kind=kinds["like"], on=True)

    assert Reaction.objects.filter(comment=comment).count() == 1
