"""Markers in pages: ``<!--app:…-->`` comments a template leaves where something
of the reader's own goes (an unread count, a Follow button, reaction counts),
filled in by a middleware after the page cache, so cached pages carry them too.

This module knows nothing of the product: each app's middleware gives its marker
prefix and pattern and says what each marker becomes.
"""

from django.utils.functional import empty

from . import pagecache


class MarkerMiddleware:
    """Base for a middleware filling ``prefix`` markers in HTML responses: it calls
    ``fill(request, content)`` (bytes in, bytes out) only for pages that carry one."""

    prefix = b""
    # Markers only members' pages carry: a visitor's page is not even searched.
    members_only = False

    def __init__(self, get_response):
        self.get_response = get_response
        # Only middlewares that name keys ask the page cache for them.
        self.prefetches = type(self).cache_keys is not MarkerMiddleware.cache_keys

    def __call__(self, request):
        if self.prefetches:
            pagecache.prefetch(request, lambda: self.cache_keys(request))
        response = self.get_response(request)
        if self.members_only and _known_visitor(request):
            return response
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or self.prefix not in response.content
        ):
            return response
        content = self.fill(request, response.content)
        response.content = content
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(content))
        return response

    def fill(self, request, content):
        raise NotImplementedError

    def cache_keys(self, request):
        """Cache keys ``fill`` will read for this request: read with a cached page
        in its round trip (``pagecache.prefetched``), none by default."""
        return []


def _known_visitor(request) -> bool:
    """Whether the request is known to be a visitor's, without asking the database
    (the user is read lazily; a page answered while the database is down must not
    fail here)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return False
    return not user.is_authenticated


def find(content, prefix, pattern):
    """``(start, end, match)`` of every marker in ``content``: found with
    ``bytes.find`` and matched with ``pattern`` only where ``prefix`` starts (a
    regular expression's scan of a 100 KB page costs ten times as much). A
    ``prefix`` the pattern does not match is skipped."""
    found, start = [], 0
    while (at := content.find(prefix, start)) != -1:
        match = pattern.match(content, at)
        if match:
            found.append((at, match.end(), match))
            start = match.end()
        else:
            start = at + len(prefix)
    return found


def replace(content, markers, replacement):
    """``content`` with each of ``markers`` (from ``find``) replaced by
    ``replacement(match)`` (bytes)."""
    if not markers:
        return content
    parts, start = [], 0
    for at, end, match in markers:
        parts += [content[start:at], replacement(match)]
        start = end
    parts.append(content[start:])
    return b"".join(parts)
