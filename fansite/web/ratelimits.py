"""Rate limits on writes (posting comments, starting threads, reporting, avatars) and previews.

Each action has a list of rates in ``settings.RATE_LIMITS``, written
``"<count>/<period>/<scope>"``: ``"10/m/user"`` allows ten per minute per member,
``"30/m/ip"`` thirty per minute from one address, ``"5/10m/user"`` five per ten
minutes. Periods are ``s``, ``m``, ``h`` or ``d``, optionally with a multiplier.
An action missing from the setting is not limited.

Counters live in Django's cache (``settings.RATE_LIMITS_CACHE``), one key per
action, scope, identity and fixed time window, created with ``cache.add()`` and
counted with ``cache.incr()``; both are atomic in Redis and in the in-process
memory cache, so concurrent requests cannot slip past a limit. With Redis the
limits hold across every worker and server; the default in-memory cache counts
per process, which is only good enough for one worker.

``check_rate_limit(request, action)`` counts one attempt and raises
:class:`RateLimited` when any of the action's rates is exceeded. Views call it
once the form is valid, right before the write, so a typo the form catches does
not cost the member anything, but a write the services then refuse (a duplicate,
a link from a new member) does: that is exactly what a spammer retries.

The client address is ``REMOTE_ADDR``. Behind reverse proxies set
``TRUSTED_PROXY_COUNT`` to the number of proxies that append to
``X-Forwarded-For``; the address is then read that many entries from the right,
which a client cannot forge. IPv6 addresses are counted per /64 network, the
block one subscriber usually gets.
"""

import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .refusals import Refused

logger = logging.getLogger(__name__)

__all__ = ["Rate", "RateLimited", "check_rate_limit", "client_ip", "parse_rate"]

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"(\d+)/(\d*)([smhd])/(user|ip)")

# What the limited member is told, before "Try again in …".
_ACTION_MESSAGES = {
    "comment": gettext_lazy("You're posting quickly."),
    "edit": gettext_lazy("You're editing quickly."),
    "thread": gettext_lazy("You're starting threads quickly."),
    "report": gettext_lazy("You've sent many reports in a short time."),
    "avatar": gettext_lazy("You've changed your picture several times in a short time."),
    "guard": gettext_lazy("You've changed many spoiler episodes in a short time."),
    "preview": gettext_lazy("You've asked for many previews in a short time."),
    "react": gettext_lazy("You're reacting quickly."),
    "rate": gettext_lazy("You've changed ratings many times in a short time."),
}


class RateLimited(Refused):
    """Too many attempts at ``action``; ``retry_after`` is in whole seconds."""

    status = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, message, *, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds
    scope: str  # "user" or "ip"


@lru_cache(maxsize=64)
def parse_rate(spec):
    """``"10/m/user"`` -> Rate(10, 60, "user"). Raises ImproperlyConfigured if malformed."""
    match = _RATE_RE.fullmatch("".join(str(spec).split()))
    if match is None:
        raise ImproperlyConfigured(
            f"RATE_LIMITS: {spec!r} is not a rate. Write it as <count>/<period>/<scope>, "
            "e.g. '10/m/user', '5/10m/ip' (periods s, m, h, d; scopes user, ip)."
        )
    count, multiplier, unit, scope = match.groups()
    period = int(multiplier or 1) * _PERIODS[unit]
    if period == 0:
        raise ImproperlyConfigured(f"RATE_LIMITS: {spec!r} has a zero period.")
    return Rate(limit=int(count), period=period, scope=scope)


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the entry trusted proxies added to
    X-Forwarded-For when ``settings.TRUSTED_PROXY_COUNT`` says there are any."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        # Entries left of the ones our own proxies appended are whatever the
        # client chose to send: never read those.
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return address


def _ip_identity(request):
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
    return str(ip)


def _identity(request, scope):
    if scope == "ip":
        return _ip_identity(request)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None  # visitors are refused elsewhere; their address is still counted
    return str(user.pk)


def _hit(cache, key, timeout):
    """Count one attempt under ``key``; returns the count including this one."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this attempt opens a new count.
        cache.add(key, 1, timeout)
        return 1


def wait_text(seconds):
    """ "40 seconds", "3 minutes", "2 hours": rounded up, so the member never retries too early."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def rates_for(action):
    return [parse_rate(spec) for spec in settings.RATE_LIMITS.get(action, ())]


def check_rate_limit(request, action):
    """Count an attempt at ``action`` by this member and address; raise RateLimited
    (a Refused with ``status`` 429 and ``retry_after``) when over a limit."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    rates = rates_for(action)
    if not rates:
        return
    cache = caches[settings.RATE_LIMITS_CACHE]
    now = time.time()
    wait = None
    for rate in rates:
        identity = _identity(request, rate.scope)
        if identity is None:
            continue
        window = int(now // rate.period)
        remaining = (window + 1) * rate.period - now
        key = f"ratelimit:{action}:{rate.scope}:{identity}:{rate.period}:{window}"
        try:
            # The key outlives its window by a little, so a slow incr() can never
            # recreate it without an expiry.
            count = _hit(cache, key, math.ceil(remaining) + 5)
        except Exception:
            # A cache outage must not take posting down with it.
            logger.warning("Rate limit cache unavailable; %s not limited.", action, exc_info=True)
            return
        if count > rate.limit:
            wait = remaining if wait is None else max(wait, remaining)
    if wait is not None:
        lead = _ACTION_MESSAGES.get(action, gettext_lazy("You're doing this too often."))
        message = f"{lead} " + _("Try again in %(wait)s.") % {"wait": wait_text(wait)}
        raise RateLimited(message, retry_after=max(1, math.ceil(wait)))
