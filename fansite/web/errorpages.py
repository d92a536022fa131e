"""The site's error pages, rendered from nothing but their templates.

An error page answers when something has gone wrong, perhaps the very thing every
other page needs: a Host header outside ALLOWED_HOSTS (asking the request for its
host raises DisallowedHost again), the database or the cache. So the pages are
rendered without the request: no context processor runs, and none can ask for the
host, the session, the member or their reading progress. The templates
(``templates/<status>.html`` on ``includes/_error_page.html``) use settings, static
files and URL reversing only, and go through ``{% translate %}`` like every page.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader


def error_page(status):
    """The response with ``status`` and its page, ``templates/<status>.html``
    (400, 403, 404, 429, 500 or 503)."""
    context = {"site_name": settings.SITE_NAME, "site_tagline": settings.SITE_TAGLINE}
    content = loader.render_to_string(f"{int(status)}.html", context)
    return HttpResponse(content, status=status)
