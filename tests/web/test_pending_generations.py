"""A write drops cached pages once, when it commits (fansite.web.pagecache.bump):
until then only its own transaction sees the change, since nobody else can see
its rows; a transaction that rolls back drops nothing."""

import pytest
from django.core.cache import cache
from django.db import transaction

from fansite.web import pagecache

SCOPE = "test-scope"
KEY = pagecache._generation_key(SCOPE)


def seen():
    """The scope's generation as this process's pages see it now."""
    return pagecache._generations([SCOPE])[0]


@pytest.mark.django_db
def test_the_writing_transaction_sees_its_write_at_once_and_others_at_the_commit(
    django_capture_on_commit_callbacks,
):
    before = seen()
    shared = cache.get(KEY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pagecache.bump(SCOPE)
        mine = seen()
        assert mine != before  # this transaction's own pages are dropped
        assert cache.get(KEY) == shared  # everybody else's are not, yet
        pagecache.bump(SCOPE)
        assert seen() not in (before, mine)  # each write of it drops them again

    assert len(callbacks) == 2
    for callback in callbacks:
        callback()  # the commit
    assert cache.get(KEY) != shared
    assert seen() == cache.get(KEY)


@pytest.mark.django_db
def test_a_change_committed_elsewhere_still_counts_for_the_writing_transaction():
    pagecache.bump(SCOPE)
    mine = seen()

    cache.set(KEY, "replaced-by-another-process", None)

    assert seen() != mine


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_replaces_the_shared_generation_once():
    shared = seen()
    with transaction.atomic():
        pagecache.bump(SCOPE)
        inside = seen()
        assert cache.get(KEY) == shared

    assert cache.get(KEY) not in (shared, None)
    assert seen() == cache.get(KEY) != inside


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_drops_nothing():
    shared = seen()
    inside = []

    def write_and_fail():
        with transaction.atomic():
            pagecache.bump(SCOPE)
            inside.append(seen())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_and_fail()

    assert inside[0] != shared
    assert cache.get(KEY) == shared
    assert seen() == shared


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_replaces_the_shared_generation_at_once():
    shared = seen()
    pagecache.bump(SCOPE)
    assert seen() == cache.get(KEY) != shared
