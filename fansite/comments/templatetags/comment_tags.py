"""Links inside the comments partial that keep the reader's place."""

from django import template
from django.urls import reverse

from fansite.comments.cards import render_card
from fansite.comments.forms import QUOTE_PARAM, REPLY_PARAM
from fansite.comments.listing import CommentList, compose_box
from fansite.spoilers.reveals import requested_reveals, with_reveals
from fansite.web.templatetags.pages import url_with_page

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_link_url(context, page=None, reply_to=None, quote=None, fragment=""):
    """The current page's address for another comment page, or with the form
    answering or quoting a comment. Other parameters, such as the reader's
    ``reveal`` keys, are kept; page 1 is left out of the address."""
    request = context["request"]
    query = request.GET.copy()
    for name in (REPLY_PARAM, QUOTE_PARAM):
        query.pop(name, None)
    if reply_to is not None:
        query[REPLY_PARAM] = reply_to
    if quote is not None:
        query[QUOTE_PARAM] = quote
    return url_with_page(request, page, fragment, query=query)


@register.simple_tag(takes_context=True)
def replies_url(context, comment):
    """The replies page of ``comment``, keeping the reader's ``reveal`` keys."""
    url = reverse("comments:comment_replies", kwargs={"pk": comment.pk})
    return with_reveals(url, requested_reveals(context["request"]))


@register.simple_tag(takes_context=True)
def quote_source_url(context, comment):
    """Where the Quote action's script fetches the quote of ``comment``
    (``comments:comment_quote``), with the reader's ``reveal`` keys: the quote is
    gated exactly as the page is."""
    url = reverse("comments:comment_quote", kwargs={"pk": comment.pk})
    return with_reveals(url, requested_reveals(context["request"]))


@register.simple_tag
def place_compose(form):
    """Mark ``form`` as shown under the comment it answers, so the conversation's end
    does not show it again (comments/_comments.html). Renders nothing."""
    form.is_placed = True
    return ""


class CachedCardNode(template.Node):
    def __init__(self, comment, nodelist):
        self.comment = comment
        self.nodelist = nodelist

    def render(self, context):
        comment = self.comment.resolve(context)
        return render_card(context, comment, lambda: self.nodelist.render(context))


@register.tag
def cached_card(parser, token):
    """{% cached_card comment %}…{% endcached_card %}: the card from the visitors'
    card cache when it may be (fansite.comments.cards)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% cached_card %} takes one comment")
    nodelist = parser.parse(("endcached_card",))
    parser.delete_first_token()
    return CachedCardNode(parser.compile_filter(bits[1]), nodelist)


class CommentListNode(template.Node):
    def __init__(self, extra_data):
        # The template's partials, complete once the whole file is parsed.
        self.extra_data = extra_data

    def render(self, context):
        listing = CommentList(context, self.extra_data["partials"], replies_url)
        return listing.render(context["page_obj"])


@register.tag
def comment_list(parser, token):
    """{% comment_list %}: the list of the page's comments (``page_obj``), written by
    fansite.comments.listing with the ``card_markup`` and ``comment_compose``
    partials of the template it is in."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% comment_list %} takes no arguments")
    return CommentListNode(parser.extra_data)


class ComposeBoxNode(template.Node):
    def __init__(self, extra_data):
        self.extra_data = extra_data

    def render(self, context):
        return compose_box(context, self.extra_data["partials"])


@register.tag
def compose_box_here(parser, token):
    """{% compose_box_here %}: the ``comment_compose`` partial of this template, drawn
    once per process when it is the plain one (fansite.comments.listing)."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% compose_box_here %} takes no arguments")
    return ComposeBoxNode(parser.extra_data)
