"""Links inside the comments partial that keep the reader's place."""

from django import template

from fansite.comments.forms import QUOTE_PARAM, REPLY_PARAM

register = template.Library()

PAGE_PARAM = "page"


@register.simple_tag(takes_context=True)
def comment_link_url(context, page=None, reply_to=None, quote=None, fragment=""):
    """The current page's address for another comment page, or with the form
    answering or quoting a comment. Other parameters, such as the reader's
    ``reveal`` keys, are kept; page 1 is left out of the address."""
    request = context["request"]
    query = request.GET.copy()
    for name in (PAGE_PARAM, REPLY_PARAM, QUOTE_PARAM):
        query.pop(name, None)
    if page is not None and str(page) != "1":
        query[PAGE_PARAM] = page
    if reply_to is not None:
        query[REPLY_PARAM] = reply_to
    if quote is not None:
        query[QUOTE_PARAM] = quote
    # QueryDict.urlencode keeps every value of repeated keys such as ``reveal``.
    encoded = query.urlencode()
    address = f"{request.path}?{encoded}" if encoded else request.path
    return f"{address}#{fragment}" if fragment else address
