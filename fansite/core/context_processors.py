from django.conf import settings


def site(request):
    """Values every page needs: the site's name and its public origin."""
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL or request.build_absolute_uri("/").rstrip("/"),
    }


def reader(request):
    """The reader's spoiler settings: ``reader.progress`` and revealed items."""
    from django.utils.functional import SimpleLazyObject

    from .spoilers import reader_for

    return {"reader": SimpleLazyObject(lambda: reader_for(request))}
