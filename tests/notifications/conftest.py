import pytest

from fansite.comments.services import post_comment, start_thread
from tests.threads.factories import board
from tests.users.factories import UserFactory


@pytest.fixture
def posting(django_capture_on_commit_callbacks, relaxed_posting_limits):
    """Post as the site does, with the fan-out task run when the post commits (the
    tests' immediate task backend, as in development)."""

    class Posting:
        def thread(self, author, *, slug="general", title="A thread", body="Opening post.", **kw):
            with django_capture_on_commit_callbacks(execute=True):
                return start_thread(board=board(slug), author=author, title=title, body=body, **kw)

        def comment(self, thread, author, body="A comment.", **kw):
            with django_capture_on_commit_callbacks(execute=True):
                return post_comment(target=thread, author=author, body=body, **kw)

    return Posting()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", display_name="Alice", watched_up_to=12)


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", display_name="Bob", watched_up_to=12)


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", display_name="Carol", watched_up_to=12)
