"""Rendered comment cards, cached for visitors and members alike.

A thread page is mostly comment cards, and a card depends only on the comment
and on a few facts about the page: its text and flags, its author's name and
avatar, the comment it answers, whether it is shown with a "spoiler, shown at
your request" note, the language and time zone it is written in, and for
members the page's own address (their Reply and Quote links keep it) and
whether they may reply. Everything of one member's own (Edit, Delete, Report,
their reactions) is a marker in the card, filled in per request
(fansite.comments.markers, fansite.reactions.markers), so members share
cards as they share pages.

The key is a digest of exactly those things, so a card is never stale: a
change to any of them is a new key, and nothing needs dropping. That is also
why cards do not depend on a shared cache: each process keeps the cards it drew
last in its own memory (``CARD_CACHE_LOCAL_BYTES``) in front of the shared cache,
and a card found in either is right. A new comment changes no other card's
key: when a busy thread's page has to be rendered again after a post, only the
new card is.

A gated card (its text left out for this reader, a Show button in its place)
is a card of its own: whether the comment is gated is part of the key, so a
reader who may read the comment never gets its gate, and a reader it is gated
for never gets its text. The Show button names only the comment (the page's
one reveal form carries the reader's address). Staff see hidden comments' text,
so their cards are never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from fansite.web import fragments, pagecache
from fansite.web.fragments import Fragments
from fansite.web.templatetags.pages import url_with_page

from .forms import QUOTE_PARAM, REPLY_PARAM

_REQUEST_ATTRIBUTE = "_fansite_cards"

# Keyed by their whole content, so always right (see above); ``local_cards`` is
# this process's copies of the most recently drawn.
cards = Fragments("card", max_bytes=settings.CARD_CACHE_LOCAL_BYTES)
local_cards = cards.local


def _person(member):
    # The display name and the username, not ``public_name`` (one of them): the
    # key holds what the card can show, and a property call less per card.
    if member is None:
        return None
    return (member.id, member.username, member.display_name, member.avatar)


def card_key(comment, page_reader, page_parts) -> str:
    """The cache key of ``comment``'s card for this reader. ``page_parts``: what the
    card depends on besides the comment (``page_parts()``).

    A page keys some fifty cards, so this reads each value once and the plain way
    (``id`` rather than the ``pk`` property). The times go in as they are, not
    written out: equal times are the same instant, drawn alike in the page's
    time zone (a part of ``page_parts``), and their ``repr`` names the zone."""
    reply_to_id = comment.reply_to_id
    spoils = page_reader.spoils(comment)
    parts = (
        page_parts,
        comment.id,
        _person(comment.author),
        reply_to_id,
        _person(comment.reply_to.author) if reply_to_id else None,
        comment.parent_id,
        comment.spoils_episode_id,
        comment.is_removed,
        comment.is_hidden,
        getattr(comment, "is_opening_post", False),
        spoils and page_reader.hides(comment),
        spoils,
        comment.created_at,
        comment.edited_at,
        comment.body_html,
    )
    return cards.key(parts)  # kept by its parts (Fragments.key)


def page_parts(context) -> tuple:
    """What every card of the page depends on besides its comment."""
    request = context["request"]
    parts = (pagecache.CODE_VERSION, get_language(), timezone.get_current_timezone_name())
    if not request.user.is_authenticated:
        return (*parts, "visitor")
    form = context.get("comment_form")
    may_reply = not getattr(form, "refusal", None)
    # Reply and Quote link to this page of the conversation, keeping the query
    # (the reader's reveal keys, the order) but not a Reply or Quote of its own.
    query = request.GET.copy()
    for name in (REPLY_PARAM, QUOTE_PARAM):
        query.pop(name, None)
    page = context.get("comments")
    number = page.page_obj.number if page is not None else None
    return (*parts, "member", may_reply, url_with_page(request, number, query=query))


def _page_comments(context):
    """Every comment whose card the page will draw."""
    found = []
    parent = context.get("parent")
    if parent is not None:
        found.append(parent)
    page = context.get("comments")
    if page is not None:
        for comment in page.page_obj.object_list:
            found.append(comment)
            found.extend(getattr(comment, "reply_list", ()))
    return found


class PageCards:
    """The cards of one page: looked up together on first use (this process's
    copies first, then one call to the shared cache), stored as rendered."""

    def __init__(self, context):
        self.reader = context["page_reader"]
        self.page_parts = page_parts(context)
        self.keys = {}
        for comment in _page_comments(context):
            self.keys[comment.id] = card_key(comment, self.reader, self.page_parts)
        self.found = cards.find(list(self.keys.values()))

    def render(self, comment, render_card):
        key = self.keys.get(comment.id)
        if key is None:
            key = card_key(comment, self.reader, self.page_parts)
        return cards.get(self.found, key, render_card)


def render_card(context, comment, render):
    """``render()``'s card for ``comment``, from the cache when it may be."""
    request = context.get("request")
    if "page_reader" not in context:
        return render()
    cards = getattr(request, _REQUEST_ATTRIBUTE, None)
    if cards is None:
        # Asked once per request (fragments.enabled: not for staff, nor with the
        # caches off), not once per card.
        if not fragments.enabled(request):
            return render()
        cards = PageCards(context)
        setattr(request, _REQUEST_ATTRIBUTE, cards)
    return cards.render(comment, render)
