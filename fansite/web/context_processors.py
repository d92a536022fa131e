from django.conf import settings


def site(request):
    """Values every page needs: the site's name, its tagline and its public origin."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "site_url": settings.SITE_URL or request.build_absolute_uri("/").rstrip("/"),
    }
