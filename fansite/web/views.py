"""Pages every site needs whatever it shows: the error pages, robots.txt and, on one
server, the uploaded images."""

import mimetypes
from http import HTTPStatus

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from .context_processors import site
from .errorpages import error_page

# Uploads are only ever images we re-encoded ourselves; anything else is refused
# rather than served with a guessed (possibly executable) content type.
SAFE_MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def serve_media(request, path):
    """Serve an uploaded image (development and single-server set-ups only)."""
    content_type, _encoding = mimetypes.guess_type(path)
    if content_type not in SAFE_MEDIA_TYPES:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Where bots look for an admin anyway; any other ADMIN_URL is a secret (docs/security.md)
# that robots.txt, which anyone may read, must not give away.
WELL_KNOWN_ADMIN_URL = "admin/"
# robots.txt changes only with a deploy.
ROBOTS_MAX_AGE = 24 * 60 * 60


@require_safe
@cache_control(public=True, max_age=ROBOTS_MAX_AGE)
def robots_txt(request):
    """What crawlers may fetch (templates/robots.txt). Rendered without the request's
    context, so it touches no session and is the same for everyone."""
    context = {
        "site_url": site(request)["site_url"],
        "admin_path": (
            f"/{settings.ADMIN_URL}" if settings.ADMIN_URL == WELL_KNOWN_ADMIN_URL else None
        ),
    }
    return HttpResponse(
        render_to_string("robots.txt", context), content_type="text/plain; charset=utf-8"
    )


# The handlers in fansite/urls.py. The pages need neither the request nor anything
# behind it (fansite/web/errorpages.py): they must render when the Host header, the
# database or the cache is what failed.


def bad_request(request, exception=None):
    return error_page(HTTPStatus.BAD_REQUEST)


def permission_denied(request, exception=None):
    return error_page(HTTPStatus.FORBIDDEN)


def page_not_found(request, exception=None):
    return error_page(HTTPStatus.NOT_FOUND)


def server_error(request):
    return error_page(HTTPStatus.INTERNAL_SERVER_ERROR)


def too_many_requests(request, exception=None):
    """allauth's answer when logins, sign-ups or resets from one address or for one
    account come too fast (it looks for ``handler429`` in the root URLconf)."""
    return error_page(HTTPStatus.TOO_MANY_REQUESTS)
