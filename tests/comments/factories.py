"""Threads and comments for the comments tests, built through the real services
so counters, spoiler levels and rendered HTML are what the site would store."""

import factory
from factory.django import DjangoModelFactory

from fansite.comments.models import Comment
from fansite.comments.services import start_thread
from fansite.threads.models import Board
from tests.users.factories import UserFactory


class ThreadFactory(factory.Factory):
    """A thread with its opening post, started on the episode 3 board by default."""

    class Meta:
        model = start_thread

    board = factory.LazyFunction(lambda: Board.objects.get(slug="episode-3"))
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thoughts on the school lockdown {n}")
    body = "Opening post: what did everyone think?"
    spoils_episode = None


class CommentFactory(DjangoModelFactory):
    """A top-level comment on a thread, spoiling what the thread spoils."""

    class Meta:
        model = Comment

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}.")
    spoils_episode_id = factory.LazyAttribute(
        lambda comment: comment.thread.spoiler_level if comment.thread else None
    )
