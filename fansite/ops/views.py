"""Health checks for load balancers and monitoring: ``GET /healthz``.

503 means this server cannot serve pages: the database does not answer. The
cache (Redis) is reported too, but its outage alone answers 200 with
``"status": "degraded"``: pages and sessions then come from the database
(fansite.web.cache), and since every app server shares one Redis, a 503 would
take every server out of the load balancer's pool at once.
"""

import logging
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _check(probe):
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:
        logger.warning("health check failed: %s", exc)
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _probe_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _probe_cache():
    if not getattr(cache, "available", True):
        # fansite.web.cache stopped asking Redis after it failed to answer.
        raise ConnectionError("Redis is not answering; the site is running without its cache")
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just stored")


@never_cache
def healthz(request):
    """Database and cache status as JSON: 503 when the database is down, 200 with
    ``"status": "degraded"`` when only the cache is."""
    checks = {"database": _check(_probe_database), "cache": _check(_probe_cache)}
    if checks["database"]["status"] != "ok":
        status, code = "error", 503
    elif checks["cache"]["status"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
