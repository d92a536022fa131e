"""The list of a conversation page: every top-level comment's card, its first
replies' cards and the "Show all replies" link, written in Python.

A page holds thirty top-level comments and up to three replies under each, and
nearly every card comes from the card cache (fansite.comments.cards). Walked by
the template engine, the loop around the cards (an item, a partial, a ``with``,
the read markers) cost more than the cards; here it is string joins. A card
the cache lacks is rendered by the ``card_markup`` partial of
comments/_comments.html, in the page's own context, as before, and the compose
box still follows the comment a Reply without JavaScript answers
(``?reply_to=``). The markup is the template's, byte for byte.

The compose box at the end is the same for every member in the plain case (no
reply chosen, nothing typed), apart from the CSRF token: it is drawn once per
process and the reader's token put in (``compose_box``).
"""

import hashlib
import re

from django.utils.html import format_html
from django.utils.translation import get_language, ngettext

from fansite.web import pagecache
from fansite.web.lru import LocalLRU

from .cards import render_card


def _markers(comment, read_markers):
    """The list item's class suffix and its first content: what is new to a member is
    filled in after the page cache (fansite.threads.markers)."""
    if not read_markers:
        return "", ""
    author = comment.author_id or 0
    return (
        f"<!--threads:new:{comment.pk}:{author}-->",
        f"<!--threads:divider:{comment.pk}-->",
    )


class CommentList:
    def __init__(self, context, partials, replies_url):
        self.context = context
        self.partials = partials
        self.replies_url = replies_url
        self.read_markers = context.get("read_markers")
        self.form = context.get("comment_form")

    def card(self, comment):
        context = self.context

        def draw():
            with context.push(comment=comment):
                return self.partials["card_markup"].render(context)

        html = str(render_card(context, comment, draw))
        form = self.form
        target = getattr(form, "reply_target", None)
        if (
            target is not None
            and target.pk == comment.pk
            and not getattr(form, "is_default_reply", False)
            and not getattr(form, "is_placed", False)
        ):
            # Reply without JavaScript: the compose box under the comment answered.
            form.is_placed = True
            with context.push(comment=comment):
                html += self.partials["comment_compose"].render(context)
        return html

    def item(self, top):
        new, divider = _markers(top, self.read_markers)
        parts = [f'\n          <li class="comment-list__item{new}">{divider}', self.card(top)]
        if top.reply_list:
            parts.append('\n<ol class="comment-replies">')
            for reply in top.reply_list:
                new, divider = _markers(reply, self.read_markers)
                parts += [
                    f'<li class="comment-replies__item{new}">{divider}',
                    self.card(reply),
                    "</li>",
                ]
            parts.append("</ol>")
        if top.more_replies:
            parts.append(
                format_html(
                    '\n<p class="comment-replies__more"><a href="{}">{}</a> '
                    '<span class="comment-replies__count">{}</span></p>',
                    self.replies_url(self.context, top),
                    ngettext(
                        "Show all %(counter)s reply",
                        "Show all %(counter)s replies",
                        top.reply_total,
                    )
                    % {"counter": top.reply_total},
                    ngettext("(%(counter)s more)", "(%(counter)s more)", top.more_replies)
                    % {"counter": top.more_replies},
                )
            )
        parts.append("</li>\n        ")
        return "".join(parts)

    def render(self, page_obj):
        items = "".join(self.item(top) for top in page_obj.object_list)
        return f'<ol class="comment-list">\n        {items}\n      </ol>'


# The compose box as members first see it (no reply chosen, nothing typed), kept
# per process: keyed by everything it shows, so never stale.
drawn_boxes = LocalLRU(max_bytes=4 * 1024 * 1024)
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_TOKEN_SLOT = "\x00token\x00"


def _plain_compose_key(context):
    """The key of the page's compose box when it is the plain one every member sees
    first, else None (a reply chosen, a refusal, a notice, a form sent back)."""
    request = context.get("request")
    form = context.get("comment_form")
    target = context.get("target")
    if (
        request is None
        or request.method != "GET"
        or not request.user.is_authenticated
        or form is None
        or form.is_bound
        or form.refusal
        or form.notice
        or form.reply_target is not None
        or target is None
    ):
        return None
    fields = form.fields
    parts = (
        pagecache.CODE_VERSION,
        get_language(),
        context["comments"].kind,
        target.pk,
        repr(fields["spoils_episode"].widget.choices),
        str(fields["spoils_episode"].help_text),
        str(fields["body"].help_text),
        repr(form.initial),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def compose_box(context, partials):
    """The page's compose box (the ``comment_compose`` partial), drawn once per
    process in the plain case, with the reader's own CSRF token put in."""
    key = _plain_compose_key(context)
    if key is None:
        return partials["comment_compose"].render(context)
    html = drawn_boxes.get(key)
    if html is None:
        html = _CSRF_VALUE.sub(
            lambda match: match[1] + _TOKEN_SLOT + match[2],
            str(partials["comment_compose"].render(context)),
        )
        drawn_boxes.put(key, html, 24 * 60 * 60)
    return html.replace(_TOKEN_SLOT, pagecache.form_token(context["request"]))
