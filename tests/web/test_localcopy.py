"""A process's own copy of a rarely changed list: built once, shared through the
cache, dropped on a change."""

import pytest
from django.core.cache import cache

from fansite.web.localcopy import LocalCopy


@pytest.fixture
def builds():
    cache.delete("test:copy")
    made = []

    def build():
        made.append(len(made) + 1)
        return [f"value {len(made)}"]

    yield made, build
    cache.delete("test:copy")


def test_it_is_built_once_then_read_from_the_process(builds):
    made, build = builds
    copy = LocalCopy("test:copy", build, seconds=60)
    assert copy.get() == ["value 1"]
    assert copy.get() == ["value 1"]
    assert made == [1]


def test_a_change_rebuilds_it(builds):
    made, build = builds
    copy = LocalCopy("test:copy", build, seconds=60)
    copy.get()
    copy.forget()
    assert copy.get() == ["value 2"]
    assert made == [1, 2]


def test_another_process_reads_what_the_first_stored(builds):
    made, build = builds
    LocalCopy("test:copy", build, seconds=60).get()
    other = LocalCopy("test:copy", build, seconds=60)
    assert other.get() == ["value 1"]
    assert made == [1]


def test_an_old_copy_is_read_again_from_the_cache(builds):
    _made, build = builds
    copy = LocalCopy("test:copy", build, seconds=0)
    copy.get()
    cache.set("test:copy", ["changed elsewhere"])
    assert copy.get() == ["changed elsewhere"]


def test_dropping_every_local_copy_reads_the_cache_again(builds):
    from fansite.web.localcopy import drop_all_local

    made, build = builds
    copy = LocalCopy("test:copy", build, seconds=60)
    copy.get()
    cache.set("test:copy", ["changed elsewhere"])
    assert copy.get() == ["value 1"]
    drop_all_local()
    assert copy.get() == ["changed elsewhere"]
    assert made == [1]
