import logging
import mimetypes
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.static import serve

logger = logging.getLogger(__name__)

# Uploads are only ever images we re-encoded ourselves; anything else is refused
# rather than served with a guessed (possibly executable) content type.
SAFE_MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


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


def serve_media(request, path):
    """Serve an uploaded image (development and single-server set-ups only)."""
    content_type, _encoding = mimetypes.guess_type(path)
    if content_type not in SAFE_MEDIA_TYPES:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request, so no context processor can touch the
    # database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
