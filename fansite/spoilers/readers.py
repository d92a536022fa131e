"""Episode-aware spoiler gating: what a reader may see without asking.

Every piece of member content (thread, comment) and every article has a
*spoiler level*: the running number of the last episode it spoils, or None when
it spoils nothing. Every reader has a *progress*: the last episode they have
watched (0 when they have not started). Content above the reader's progress is
*gated*: the server leaves its text out of the page and sends a labelled
placeholder ("Spoiler for episode 9 — show") instead. "Show" posts to the
reveal endpoint, which sends the reader back with ``reveal=<token>`` added to
the address: a token made for that reader alone (fansite.spoilers.tokens), so
an address someone else made reveals nothing by itself.

Gated items implement two attributes:

``spoiler_level``  int or None
``reveal_key``     short unique string such as "c123" (comment 123) or "t45"
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from . import tokens

SESSION_KEY = "watched_up_to"
# A visitor who answered or dismissed "How far have you watched?" (first_visit.html).
CHOSEN_SESSION_KEY = "progress_chosen"
REVEAL_PARAM = "reveal"
# A page never honours more reveal keys than this (keeps URLs and cache keys sane).
MAX_REVEALS = 50


@dataclass(frozen=True)
class Reader:
    """One reader's view of spoilers for one request."""

    progress: int = 0
    # Keys of the items this reader asked to see (their own tokens only).
    revealed: frozenset[str] = field(default_factory=frozenset)
    # Whom reveal tokens are made for (fansite.spoilers.tokens.binding_for).
    binding: str | None = None
    # Keys the address asks to reveal with tokens that are not this reader's:
    # a link someone else made. They reveal nothing (fansite.spoilers.middleware).
    foreign: frozenset[str] = field(default_factory=frozenset)

    def spoils(self, item) -> bool:
        """Whether the item spoils an episode the reader has not watched."""
        level = getattr(item, "spoiler_level", None)
        return level is not None and level > self.progress

    def hides(self, item) -> bool:
        """Whether the item must be left out of the page for this reader."""
        return self.spoils(item) and item.reveal_key not in self.revealed

    def with_reveal(self, key: str) -> Reader:
        return Reader(self.progress, self.revealed | {key}, self.binding, self.foreign)

    def token(self, key: str) -> str | None:
        """The reveal token for ``key`` made for this reader (None: no binding)."""
        return tokens.make(self.binding, key) if self.binding else None

    @property
    def reveal_tokens(self) -> list[str]:
        """The tokens of what this reader revealed, to carry to another address."""
        return sorted(tokens.make(self.binding, key) for key in self.revealed)

    def accepting(self, level: int | None) -> Reader:
        """This reader after choosing to see a page that spoils up to ``level``.

        Revealing a thread (or article) shows the comments on it that spoil no
        more than it does; comments that spoil even later stay gated.
        """
        if level is None or level <= self.progress:
            return self
        return Reader(level, self.revealed, self.binding, self.foreign)

    def for_page(self, item) -> Reader:
        """The reader for the comments under ``item`` (a thread or an article)."""
        if self.spoils(item) and item.reveal_key in self.revealed:
            return self.accepting(item.spoiler_level)
        return self


def progress_for(request) -> int:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.watched_up_to
    try:
        return max(0, int(request.session.get(SESSION_KEY, 0)))
    except (TypeError, ValueError):
        return 0


def reveals_for(request, binding) -> tuple[frozenset[str], frozenset[str]]:
    """The keys the address reveals for this reader, and the foreign ones."""
    own, foreign = set(), set()
    for value in request.GET.getlist(REVEAL_PARAM)[:MAX_REVEALS]:
        key, is_own = tokens.read(value, binding)
        if key is not None:
            (own if is_own else foreign).add(key)
    return frozenset(own), frozenset(foreign - own)


def reader_for(request) -> Reader:
    """The request's Reader, computed once per request."""
    reader = getattr(request, "_fansite_reader", None)
    if reader is None:
        binding = tokens.binding_for(request)
        revealed, foreign = reveals_for(request, binding)
        reader = Reader(progress_for(request), revealed, binding, foreign)
        request._fansite_reader = reader
    return reader


def has_chosen_progress(request) -> bool:
    """Whether the reader has said how far they have watched, or declined to: until
    then every page asks (includes/_first_visit.html)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # A progress saved before progress_chosen_at existed was an answer too.
        return user.progress_chosen_at is not None or user.watched_up_to > 0
    session = request.session
    return bool(session.get(CHOSEN_SESSION_KEY)) or SESSION_KEY in session


def mark_progress_chosen(request) -> None:
    """The reader answered or dismissed the question: stop asking. Their progress
    stays as it is."""
    user = request.user
    if user.is_authenticated:
        now = timezone.now()
        user._meta.model.objects.filter(pk=user.pk).update(progress_chosen_at=now)
        user.progress_chosen_at = now
    else:
        request.session[CHOSEN_SESSION_KEY] = True


def set_progress(request, episode: int) -> None:
    """Remember how far the reader has watched: on the profile, else in the session.
    Saying it counts as answering "How far have you watched?" (has_chosen_progress)."""
    user = request.user
    if user.is_authenticated:
        now = timezone.now()
        # request.user is a lazy proxy: type() of it is not the model.
        user._meta.model.objects.filter(pk=user.pk).update(
            watched_up_to=episode, progress_chosen_at=now
        )
        user.watched_up_to = episode
        user.progress_chosen_at = now
    else:
        request.session[SESSION_KEY] = episode
        request.session[CHOSEN_SESSION_KEY] = True
    request._fansite_reader = None


def raise_progress(request, episode: int) -> bool:
    """Mark ``episode`` as watched: raise the reader's progress to it, never lower it.

    Returns whether the progress changed. A reader already past ``episode`` keeps
    their progress: "I've watched episode 3" from someone at episode 9 says nothing
    about forgetting 4 to 9. Only the header's "I've watched up to" may go back.
    """
    if episode <= progress_for(request):
        return False
    set_progress(request, episode)
    return True


def adopt_visitor_progress(request, user) -> bool:
    """On logging in (or signing up): a visitor who said how far they have watched
    keeps it when their account has never been told. Returns whether it was carried.

    Logging in keeps the session's data (Django cycles its key), so the visitor's
    answer is still there; an account that already has a progress of its own (or
    said "I haven't started" or "Not now") keeps it.
    """
    told = user.progress_chosen_at is not None or user.watched_up_to > 0
    if told or SESSION_KEY not in request.session:
        return False
    try:
        episode = max(0, int(request.session[SESSION_KEY]))
    except (TypeError, ValueError):
        return False
    now = timezone.now()
    user._meta.model.objects.filter(pk=user.pk).update(
        watched_up_to=episode, progress_chosen_at=now
    )
    user.watched_up_to = episode
    user.progress_chosen_at = now
    request._fansite_reader = None
    return True


def progress_message(episode: int) -> str:
    """What the reader is told after saying how far they have watched."""
    if episode == 0:
        return _("Spoilers for every episode are now hidden.")
    return _("Spoilers are now hidden beyond episode %(number)s.") % {"number": episode}
