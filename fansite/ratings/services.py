"""Rating an episode, changing the score, taking it back."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fansite.users.standing import PostingRefused, ensure_can_post
from fansite.web import pagecache

from .models import HIGHEST, LOWEST, Rating


def ratings_scope(number):
    """The page-cache scope of pages that show episode ``number``'s ratings."""
    return f"ratings:{number}"


def ensure_can_rate(member, episode):
    """Raise PostingRefused unless ``member`` may rate ``episode``: their standing, and
    having watched it (their progress reaches it)."""
    ensure_can_post(member)
    if (member.watched_up_to or 0) < episode.position:
        raise PostingRefused(
            _(
                "Rate episode %(number)s once you have watched it: say so with “I've watched "
                "episode %(number)s”, then rate it."
            )
            % {"number": episode.position}
        )


@transaction.atomic
def rate_episode(*, member, episode, score):
    """Set ``member``'s score for ``episode`` (a new rating or a changed one)."""
    ensure_can_rate(member, episode)
    if not LOWEST <= score <= HIGHEST:
        raise PostingRefused(_("Choose a score from 1 to 10."))
    rating, _created = Rating.objects.update_or_create(
        episode=episode, member=member, defaults={"score": score, "rated_at": timezone.now()}
    )
    pagecache.bump(ratings_scope(episode.position))
    return rating


@transaction.atomic
def remove_rating(*, member, episode):
    """Take back ``member``'s rating of ``episode``. Returns whether there was one."""
    deleted, _by_model = Rating.objects.filter(episode=episode, member=member).delete()
    if deleted:
        pagecache.bump(ratings_scope(episode.position))
    return bool(deleted)
