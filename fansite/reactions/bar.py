"""The reactions bar under a comment, built in Python: it is filled into pages
after the page cache (fansite.reactions.middleware), up to a few hundred times
per page, where a template per bar would cost more than the rest of the page.

Three forms, by what the reader may see and do (the card's marker says which):

- ``FULL``: a form of buttons, one per kind, each with its count and
  ``aria-pressed`` (members who may react); counts only for visitors;
- ``OWN``: counts only (the reader's own comment, or a member who may not react);
- ``TOTAL``: the total alone, for a comment gated for this reader: the breakdown
  is not needed, and "Who reacted" is not offered.
"""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

FULL, OWN, TOTAL = "a", "o", "t"


def people_reacted(n, kind):
    return ngettext(
        "%(count)s person reacted %(label)s", "%(count)s people reacted %(label)s", n
    ) % {"count": n, "label": kind.label}


def total_text(n):
    return ngettext("%(count)s reaction", "%(count)s reactions", n) % {"count": n}


def bar_html(*, comment_pk, mode, kinds, counts, given, can_react, token, next_url):
    """The bar's HTML (a ``str``), or "" when there is nothing to show."""
    shown = [kind for kind in kinds if counts.get(kind.pk)]
    total = sum(counts.get(kind.pk, 0) for kind in kinds)
    if mode == TOTAL:
        if not total:
            return ""
        return format_html('<p class="reactions reactions--total">{}</p>', total_text(total))
    who = reverse("reactions:reactors", args=[comment_pk])
    if mode == FULL and can_react:
        buttons = format_html_join(
            "",
            '<button type="submit" class="reaction{}" name="react" value="{}:{}" '
            'aria-pressed="{}"><span class="reaction__emoji" aria-hidden="true">{}</span>'
            '<span class="reaction__count" aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}. {}</span></button>',
            (
                (
                    " is-pressed" if kind.pk in given else "",
                    kind.slug,
                    "off" if kind.pk in given else "on",
                    "true" if kind.pk in given else "false",
                    kind.emoji,
                    counts.get(kind.pk) or "",
                    kind.label,
                    people_reacted(counts.get(kind.pk, 0), kind),
                )
                for kind in kinds
            ),
        )
        link = (
            format_html(' <a class="reactions__who" href="{}">{}</a>', who, gettext("Who reacted"))
            if total
            else ""
        )
        return format_html(
            '<form class="reactions" method="post" action="{}" data-reactions>'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}">'
            '<span class="reactions__buttons" role="group" aria-label="{}">{}</span>{}'
            '<span class="reactions__status" role="status"></span></form>',
            reverse("reactions:react", args=[comment_pk]),
            token,
            next_url,
            gettext("React"),
            buttons,
            link,
        )
    if not shown:
        return ""
    items = format_html_join(
        "",
        '<li class="reaction reaction--count"><span aria-hidden="true">{} {}</span>'
        '<span class="visually-hidden">{}</span></li>',
        ((kind.emoji, counts[kind.pk], people_reacted(counts[kind.pk], kind)) for kind in shown),
    )
    return format_html(
        '<div class="reactions"><ul class="reactions__counts" aria-label="{}">{}</ul> '
        '<a class="reactions__who" href="{}">{}</a></div>',
        gettext("Reactions"),
        items,
        who,
        gettext("Who reacted"),
    )
