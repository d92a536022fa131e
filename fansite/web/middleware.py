from http import HTTPStatus
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import QueryDict
from django.middleware import csp
from django.utils.csp import CSP, build_policy

from .errorpages import error_page


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header: the site needs no powerful browser features."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED_FEATURES
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, writing each policy of the settings once rather than on every
    response (about 13 µs a page). A policy with a nonce in it, or one a view
    chose for its response, is Django's to write, as before."""

    def process_response(self, request, response):
        for header, name, own in (
            (CSP.HEADER_ENFORCE, "SECURE_CSP", "_csp_config"),
            (CSP.HEADER_REPORT_ONLY, "SECURE_CSP_REPORT_ONLY", "_csp_ro_config"),
        ):
            if header in response or hasattr(response, own):
                continue
            policy = _policy(header, getattr(settings, name))
            if policy:
                response.headers[str(header)] = policy  # a str: WSGI servers check
        return super().process_response(request, response)


# Each header's last policy: (the setting it was written from, which it holds so
# that another setting, in a test, is never taken for it; the policy, or None
# when Django must write it).
_policies = {}


def _policy(header, config):
    kept = _policies.get(header)
    if kept is None or kept[0] is not config:
        written = build_policy(config) if config and not _has_nonce(config) else None
        kept = _policies[header] = (config, written)
    return kept[1]


def _has_nonce(config):
    return any(
        isinstance(values, list | tuple | set) and CSP.NONCE in values for values in config.values()
    )


def _is_text(raw):
    """UTF-8 without NUL: what every value the site looks up or stores must be."""
    if b"\0" in raw:
        return False
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def _forgiven(request, query):
    """On a page whose query is typed by people (``settings.NUL_FORGIVING_PATHS``:
    the search page), NUL is dropped from the query instead of refused, and
    ``request.nul_dropped`` says so: the page says what it searched for."""
    if request.path_info not in settings.NUL_FORGIVING_PATHS:
        return False
    if not _is_text(query.replace(b"\0", b"")):
        return False
    cleaned = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        cleaned.setlist(key.replace("\0", ""), [value.replace("\0", "") for value in values])
    cleaned._mutable = False
    request.GET = cleaned
    request.nul_dropped = True
    return True


class MalformedRequestMiddleware:
    """Answer 400 (the site's 400 page) for an address that is not text: a path or
    query string holding NUL or bytes that are not UTF-8 (``/members/%00/``,
    ``?page=%ff``). No page has a use for one, and a value from it can reach a
    query: PostgreSQL refuses NUL in text, which would be a 500; SQLite only finds
    nothing. One check here keeps every URL pattern and every query parameter safe,
    ours, allauth's and the admin's alike.

    A cookie holding NUL (sent as ``"\\000"``) is dropped, as if not sent: it would
    reach the session table the same way, and the visitor may not be able to clear
    one that someone else planted.

    Django gives the path percent-decoded, with bytes that are not UTF-8 escaped
    again (``%FF``), so it is checked decoded once more; that also refuses a NUL
    encoded twice (``%2500``). The query string is checked as sent.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = unquote_to_bytes(request.path_info)
        # WSGI strings carry the bytes received as latin-1 (PEP 3333).
        query = unquote_to_bytes(request.META.get("QUERY_STRING", "").encode("latin-1", "replace"))
        if _is_text(path) and not _is_text(query) and _forgiven(request, query):
            query = query.replace(b"\0", b"")
        if not (_is_text(path) and _is_text(query)):
            # Returned rather than raised: Django logs it as one "Bad Request" line,
            # not a traceback per probe.
            return error_page(HTTPStatus.BAD_REQUEST)
        for name in [name for name, value in request.COOKIES.items() if "\0" in value]:
            del request.COOKIES[name]
        return self.get_response(request)
