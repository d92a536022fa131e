"""Markers in pages: ``<!--app:…-->`` comments a template leaves where something
of the reader's own goes (an unread count, a Follow button, reaction counts),
filled in by a middleware after the page cache, so cached pages carry them too.

This module knows nothing of the product: each app's middleware gives its marker
prefix and pattern and says what each marker becomes.
"""


class MarkerMiddleware:
    """Base for a middleware filling ``prefix`` markers in HTML responses: it calls
    ``fill(request, content)`` (bytes in, bytes out) only for pages that carry one."""

    prefix = b""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
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
