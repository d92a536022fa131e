"""The CSRF token for a page's forms, drawn with one read of the operating
system's random source instead of one read per character.

Django's ``get_token`` draws the token's 32-character mask one character at a
time through ``secrets``, and for a visitor without a CSRF cookie the 32-character
secret too: 66 reads of ``os.urandom`` and about 70 µs of a cached page that
otherwise costs about 750 µs (docs/performance.md, "Fifth session").

The middleware below has Django's send the cookie again less often.

The token made here is the one Django makes: the request's secret (a new one when
it has none), a fresh mask drawn uniformly from ``CSRF_ALLOWED_CHARS``, and the
secret added to the mask character by character. Django's own middleware checks
it. The request is flagged exactly as ``get_token`` flags it, so Django sets the
cookie and ``Vary: Cookie`` on the response as before.
"""

import os
import random

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.cache import patch_vary_headers

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
# Bytes at or above this are dropped, so that every character is equally likely.
_ACCEPTED = 256 - 256 % len(_CHARS)


def random_string(length=CSRF_SECRET_LENGTH):
    """``length`` characters drawn uniformly from ``CSRF_ALLOWED_CHARS``."""
    drawn = []
    while len(drawn) < length:
        drawn += [_CHARS[byte % len(_CHARS)] for byte in os.urandom(length + 8) if byte < _ACCEPTED]
    return "".join(drawn[:length])


def masked(secret):
    """``secret`` under a fresh mask, as Django's ``_mask_cipher_secret``."""
    mask = random_string()
    pairs = zip(secret, mask, strict=True)
    cipher = "".join(_CHARS[(_INDEX[s] + _INDEX[m]) % len(_CHARS)] for s, m in pairs)
    return mask + cipher


def get_token(request):
    """What ``django.middleware.csrf.get_token`` returns and does: the secret
    the middleware read from the cookie (or session), or a new one, and the
    flag that makes it send the cookie with the response."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret)


# One page in this many sends a reader's unchanged CSRF cookie again.
RENEW_EVERY = 50


class CsrfCookieRenewal:
    """Sends a reader's unchanged CSRF cookie again with one page in
    ``RENEW_EVERY`` (at random) rather than with every page that has a form.
    Listed just after Django's ``CsrfViewMiddleware``, so it sees the response
    first.

    Django sends it again to start its year (``CSRF_COOKIE_AGE``) afresh, and the
    header cost a cached page about 40 µs. A reader who comes back at all still
    has it renewed long before the year is up. A new or rotated secret (a first
    visit, signing in) is always sent, and the page still varies by cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        meta = request.META
        if (
            meta.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not settings.CSRF_USE_SESSIONS
            and request.COOKIES.get(settings.CSRF_COOKIE_NAME) == meta.get("CSRF_COOKIE")
            and random.randrange(RENEW_EVERY)
        ):
            meta["CSRF_COOKIE_NEEDS_UPDATE"] = False
            patch_vary_headers(response, ("Cookie",))
        return response
