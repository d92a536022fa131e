import pytest

from fansite.comments.services import post_comment, start_thread
from fansite.reactions.models import ReactionKind
from fansite.spoilers.levels import NO_SPOILERS
from tests.threads.factories import board
from tests.users.factories import UserFactory


@pytest.fixture
def jiho(db):
    return UserFactory(username="jiho", display_name="Ji-ho", watched_up_to=12)


@pytest.fixture
def onjo(db):
    return UserFactory(username="onjo", display_name="On-jo", watched_up_to=3)


@pytest.fixture
def comment(jiho, relaxed_posting_limits):
    """Ji-ho's comment in a thread of his on the General board, spoiling nothing."""
    thread = start_thread(
        board=board("general"),
        author=jiho,
        title="Rooftop",
        body="Who's up there?",
        spoils_episode=NO_SPOILERS,
    )
    return post_comment(
        target=thread, author=jiho, body="Nam-ra, surely.", spoils_episode=NO_SPOILERS
    )


@pytest.fixture
def kinds(db):
    """The reactions the migration adds, by slug."""
    return {kind.slug: kind for kind in ReactionKind.objects.all()}
