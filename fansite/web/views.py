"""Pages every site needs whatever it shows: the error pages and, on one server,
the uploaded images."""

import mimetypes

from django.conf import settings
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.static import serve

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
