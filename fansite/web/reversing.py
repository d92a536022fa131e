"""``reverse()`` for the many links of a page that differ only by an id, and for
the addresses pages name again and again.

A page of comments links to each one's Edit, Delete and Report pages; reversing
each link costs the URL resolver's work every time (20 to 30 us). Here each such
pattern is reversed once per process with a stand-in id, and the id is put in
its place; and the models' own addresses (a thread's, a board's, a member's)
are kept once reversed (``reverse_args``), the last few thousand of them.
Both follow the script prefix, and forget everything when the URL
configuration changes (a test overriding ``ROOT_URLCONF``).
"""

from functools import lru_cache
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS

_STAND_IN = 987654321987654321
_TEXT_STAND_IN = "zqxjstandinzqxj"


@lru_cache(maxsize=128)
def _around(name, fixed, script_prefix, stand_in=_STAND_IN):
    """The address of ``name`` with ``stand_in`` as its last argument, cut around it."""
    url = reverse(name, args=[*fixed, stand_in])
    before, found, after = url.rpartition(str(stand_in))
    if not found:
        raise ValueError(f"{name} does not end in its last argument as given")
    return before, after


def reverse_id(name, *fixed, pk):
    """``reverse(name, args=[*fixed, pk])`` for a pattern whose last argument is an
    integer id."""
    before, after = _around(name, fixed, get_script_prefix())
    return f"{before}{int(pk)}{after}"


def id_url_parts(name, *fixed):
    """``(before, after)``: the address of ``name`` is ``before + str(pk) + after``
    (for code writing many such links into a page at once)."""
    return _around(name, fixed, get_script_prefix())


# What reverse() leaves unquoted in an address (django.urls.resolvers).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


def reverse_text(name, value):
    """``reverse(name, args=[value])`` for a pattern whose one argument is a
    ``<str:…>`` path segment: a member's name, which the site has thousands of
    (reversed per name, a new member's first page paid the resolver's 50 us).
    The value is quoted as reverse() quotes it."""
    if not value or "/" in value:
        return reverse(name, args=[value])
    before, after = _around(name, (), get_script_prefix(), _TEXT_STAND_IN)
    return f"{before}{quote(value, safe=_SAFE)}{after}"


@lru_cache(maxsize=4096)
def _reversed(name, args, script_prefix):
    return reverse(name, args=args)


def reverse_args(name, *args):
    """``reverse(name, args=args)``, for arguments that are plain values (ids,
    slugs, usernames)."""
    return _reversed(name, args, get_script_prefix())


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
        _around.cache_clear()
