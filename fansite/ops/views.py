"""Health checks for load balancers and monitoring: ``GET /healthz``."""

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
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just stored")


@never_cache
def healthz(request):
    """Database and cache status as JSON; 503 when either is down."""
    checks = {"database": _check(_probe_database), "cache": _check(_probe_cache)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
