"""The one exception for a write the site refuses for a reason the member can act on."""

from http import HTTPStatus


class Refused(Exception):
    """A write refused with a message for the member: ``message`` says why and what
    to do about it; ``status`` is the HTTP status a view answers with.

    Subclasses: ``fansite.users.standing.PostingRefused`` (the member may not
    post, or not here) and ``fansite.web.ratelimits.RateLimited`` (429, with
    ``retry_after``). Views catch ``Refused`` and show the message next to what
    the member typed.
    """

    status = HTTPStatus.FORBIDDEN
    # Seconds until trying again makes sense (rate limits); None: no point waiting.
    retry_after = None

    def __init__(self, message):
        super().__init__(message)
        self.message = message
