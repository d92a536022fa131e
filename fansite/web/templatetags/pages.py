"""Pagination links that keep the reader's place."""

from django import template

register = template.Library()

PAGE_PARAM = "page"
# Parameters that pre-fill a form on one page (comments' ?reply_to= and ?quote=)
# and must not follow the reader to another page.
ONE_PAGE_PARAMS = ("reply_to", "quote")


def url_with_page(request, page, fragment="", query=None):
    """The current address on another page. Other parameters, such as the
    reader's ``reveal`` keys, are kept (or ``query``, a QueryDict, is used);
    page 1 is left out of the address."""
    if query is None:
        query = request.GET.copy()
        for name in ONE_PAGE_PARAMS:
            query.pop(name, None)
    else:
        query = query.copy()
    query.pop(PAGE_PARAM, None)
    if page is not None and str(page) != "1":
        query[PAGE_PARAM] = page
    # QueryDict.urlencode keeps every value of repeated keys such as ``reveal``.
    encoded = query.urlencode()
    address = f"{request.path}?{encoded}" if encoded else request.path
    return f"{address}#{fragment}" if fragment else address


@register.simple_tag(takes_context=True)
def page_url(context, page, fragment=""):
    return url_with_page(context["request"], page, fragment)
