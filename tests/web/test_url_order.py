"""Every named address resolves back to its own view: no pattern earlier in the
list answers for a later one. ``fansite/urls.py`` lists the busiest pages first
(they resolve in a third of the time), and this is what makes that order safe."""

import uuid

from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RoutePattern

SAMPLES = {
    IntConverter: "7",
    SlugConverter: "a-slug",
    StringConverter: "word",
    PathConverter: "some/path",
    UUIDConverter: str(uuid.UUID(int=7)),
}


def named_patterns(patterns, namespaces=()):
    """``(view name, converters)`` of every named pattern written with ``path()``."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            spaces = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            # Converters of the include's own prefix count too.
            outer = getattr(pattern.pattern, "converters", {})
            for name, converters in named_patterns(pattern.url_patterns, spaces):
                yield name, {**outer, **converters}
        # re_path() patterns (allauth's, the admin's) are left out: a regular
        # expression has no sample value to reverse with.
        elif pattern.name and isinstance(pattern.pattern, RoutePattern):
            yield ":".join((*namespaces, pattern.name)), pattern.pattern.converters


def test_every_named_address_resolves_to_its_own_view():
    checked = 0
    for name, converters in named_patterns(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue
        kwargs = {key: SAMPLES[type(converter)] for key, converter in converters.items()}
        path = reverse(name, kwargs=kwargs)
        assert resolve(path).view_name == name, f"{path} answers for {resolve(path).view_name}"
        checked += 1
    assert checked > 50


def test_the_busiest_pages_come_first():
    first = [pattern.urlconf_module.__name__ for pattern in get_resolver().url_patterns[:2]]
    assert first == ["fansite.threads.urls", "fansite.articles.urls"]
