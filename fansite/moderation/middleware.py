"""Shows members the notices waiting for them (``notices.deliver_pending``).

It runs before any view, so on the page where a notice becomes a message the page
cache neither serves nor stores the page: pages with pending messages are never
cached (``fansite.web.pagecache``), so no cached page swallows the notice.
"""

from django.db import DatabaseError

from fansite.spoilers.readers import reader_for

from .notices import deliver_pending


class LevelChangeNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Pages only: a form's POST answers with a redirect to the page that shows them.
        if request.method == "GET":
            try:
                user = request.user
                if user.is_authenticated and user.unseen_notices:
                    deliver_pending(request, reader_for(request))
            except DatabaseError:
                # The database is down: the notices wait, and the view answers as it
                # would have (its error page, or fansite.web.unavailable's 503).
                pass
        return self.get_response(request)
