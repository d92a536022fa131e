"""Reveal tokens: a reveal in an address counts only for the reader it was made for.

A revealed item appears in the address as ``reveal=<key>.<signature>`` (for
example ``reveal=c123.4f0c…``). The signature binds the key to the reader who
asked for it: a member's id, or a visitor's CSRF secret (a random value in a
cookie only their browser holds, which the server never stores). Anyone can
copy an address, but only its own reader gets a reveal out of it; for everyone
else its keys are *foreign* and reveal nothing until they confirm
(fansite.spoilers.middleware).

Tokens are made only by the reveal endpoint (a CSRF-protected POST, so a page
or link on another site cannot make one for the reader) and by the server for
an author's own new post.
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "fansite.spoilers.reveal"
SEPARATOR = "."
SIGNATURE_LENGTH = 16
MAX_KEY_LENGTH = 20


def binding_for(request) -> str | None:
    """Whom this request's reveal tokens are made for, or None (a visitor whose
    browser holds no CSRF cookie yet: no token can be theirs)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"m{user.pk}"
    secret = getattr(request, "META", {}).get("CSRF_COOKIE")
    return f"v{secret}" if secret else None


def is_key(key: str) -> bool:
    """A well-formed item key such as "c123": letters then digits, short."""
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isalnum()


def _signature(binding: str, key: str) -> str:
    digest = salted_hmac(SALT, f"{binding}|{key}", algorithm="sha256").hexdigest()
    return digest[:SIGNATURE_LENGTH]


def make(binding: str, key: str) -> str:
    """The token revealing ``key`` to the reader ``binding``."""
    return f"{key}{SEPARATOR}{_signature(binding, key)}"


def read(value: str, binding: str | None) -> tuple[str | None, bool]:
    """The key a token names and whether it was made for ``binding``.

    A malformed value names no key. A bare key ("c123", as old addresses and
    hand-made links have) names its key but was made for nobody.
    """
    key, _, signature = value.partition(SEPARATOR)
    if not is_key(key):
        return None, False
    if not signature or binding is None:
        return key, False
    return key, constant_time_compare(signature, _signature(binding, key))
