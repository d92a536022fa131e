from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import pagecache


def site(request):
    """Values every page needs: the site's name, its tagline and its public origin."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "site_url": settings.SITE_URL or request.build_absolute_uri("/").rstrip("/"),
    }


def csrf(request):
    """``{{ csrf_token }}`` and ``{% csrf_token %}`` as Django's own processor gives
    them, drawn by fansite.web.csrf (one read of the random source, not 66: about
    50 µs of a page with a form) and the same token as the forms filled in after
    the page cache (``pagecache.form_token``), so a page carries one token. Django
    runs its own processor first; this one, listed in the settings, replaces it."""
    return {"csrf_token": SimpleLazyObject(lambda: pagecache.form_token(request))}
