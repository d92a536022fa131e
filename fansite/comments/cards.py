"""Rendered comment cards, cached for visitors.

A thread page is mostly comment cards, and a visitor's card depends only on the
comment itself: its text, its author and the comment it answers, its flags, and
whether it is shown with a "spoiler, shown at your request" note. So each card
is cached under a key made of exactly those things (plus the site generation,
replaced when members rename themselves: fansite.web.pagecache). A new comment
changes no other card's key: when a busy thread's page has to be rendered again
after a post, only the new card is.

Gated cards (their text left out for this reader) are never cached: their
"Show" link carries the reader's own address. Members' cards carry links of
their own (Reply, Edit, Report…) and are never cached either.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches

from fansite.web import pagecache

CARD_SECONDS = 24 * 60 * 60
_REQUEST_ATTRIBUTE = "_fansite_cards"


def cards_enabled(request) -> bool:
    return bool(
        settings.PAGE_CACHE_SECONDS and request is not None and not request.user.is_authenticated
    )


def card_key(comment, page_reader, site_generation) -> str | None:
    """The cache key of ``comment``'s card for this reader, or None when it must be
    rendered afresh (gated)."""
    if page_reader.hides(comment):
        return None
    parts = (
        pagecache.CODE_VERSION,
        site_generation,
        comment.pk,
        comment.author_id,
        comment.reply_to_id,
        comment.parent_id,
        comment.spoils_episode_id,
        comment.is_removed,
        comment.is_hidden,
        getattr(comment, "is_opening_post", False),
        page_reader.spoils(comment),
        comment.edited_at.isoformat() if comment.edited_at else "",
        comment.body_html,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"card:{digest}"


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
    """The cards of one page: looked up together on first use, stored as rendered."""

    def __init__(self, context):
        self.reader = context["page_reader"]
        self.site_generation = pagecache.generation(pagecache.SITE)
        self.keys = {}
        for comment in _page_comments(context):
            self.keys[comment.pk] = card_key(comment, self.reader, self.site_generation)
        wanted = [key for key in self.keys.values() if key]
        self.found = _cache().get_many(wanted) if wanted else {}

    def render(self, comment, render_card):
        key = self.keys.get(comment.pk)
        if key is None and comment.pk not in self.keys:
            key = card_key(comment, self.reader, self.site_generation)
        if key is None:
            return render_card()
        html = self.found.get(key)
        if html is None:
            html = render_card()
            _cache().set(key, str(html), CARD_SECONDS)
        return html


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def render_card(context, comment, render):
    """``render()``'s card for ``comment``, from the cache when it may be."""
    request = context.get("request")
    if not cards_enabled(request) or "page_reader" not in context:
        return render()
    cards = getattr(request, _REQUEST_ATTRIBUTE, None)
    if cards is None:
        cards = PageCards(context)
        setattr(request, _REQUEST_ATTRIBUTE, cards)
    return cards.render(comment, render)
