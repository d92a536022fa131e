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
"""

from django.utils.html import format_html
from django.utils.translation import ngettext

from .cards import render_card


def _markers(comment, read_markers):
    """The list item's class suffix and its first content: what is new to a member is
    filled in after the page cache (fansite.threads.middleware)."""
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
