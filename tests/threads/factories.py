"""Boards and threads for tests.

``ThreadFactory`` starts threads through ``comments.services.start_thread``, as members
do, so the opening post exists and board counters are right. ``reply`` posts a
comment through the comments service.
"""

import factory
from factory.django import DjangoModelFactory

from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board, Thread
from tests.users.factories import UserFactory


def board(slug):
    """A seeded board: "episode-1" … "episode-12", "general", "theories", "site-feedback"."""
    return Board.objects.with_episode().get(slug=slug)


class ThreadFactory(DjangoModelFactory):
    class Meta:
        model = Thread

    board = factory.LazyFunction(lambda: board("general"))
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thread number {n}")
    body = "What did everyone think?"
    spoils_episode = None

    @classmethod
    def _create(cls, model_class, *, is_pinned=False, is_locked=False, **kwargs):
        thread = start_thread(**kwargs)
        flags = {"is_pinned": is_pinned, "is_locked": is_locked}
        if any(flags.values()):
            Thread.objects.filter(pk=thread.pk).update(**flags)
            thread.refresh_from_db()
        return thread


def reply(thread, body="Agreed.", author=None, **kwargs):
    return post_comment(target=thread, author=author or UserFactory(), body=body, **kwargs)
