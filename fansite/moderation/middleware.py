"""Shows members the notices waiting for them (``notices.deliver_pending``).

It runs before any view, so on the page where a notice becomes a message the page
cache neither serves nor stores the page: pages with pending messages are never
cached (``fansite.web.pagecache``), so no cached page swallows the notice.
"""

from fansite.spoilers.readers import reader_for
from fansite.web.unavailable import DATABASE_ERRORS, unavailable_response

from .notices import deliver_pending


class LevelChangeNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Pages only: a form's POST answers with a redirect to the page that shows them.
        # Asking who the member is needs the database. When it cannot be reached
        # the answer is the 503 page at once: going on to the view would only wait
        # for a second connection timeout before the same 503.
        if request.method == "GET":
            try:
                user = request.user
                if user.is_authenticated and user.unseen_notices:
                    deliver_pending(request, reader_for(request))
            except DATABASE_ERRORS as error:
                return unavailable_response(request, error)
        return self.get_response(request)
