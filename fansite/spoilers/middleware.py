"""Links someone else made never reveal anything by themselves.

An address whose ``reveal`` tokens were not made for this reader (copied from
another member's post, shared in a chat, typed by hand) is answered with a
page saying which episodes it would spoil, with a button that reveals them as
the reader's own act and a link to the page without them. When the foreign
keys spoil nothing for this reader (or name nothing), the reader is sent to the
address without them, so no page is ever rendered with them in its links.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .readers import REVEAL_PARAM, reader_for
from .reveals import levels_of, without_foreign


def episode_list(levels):
    """ "episode 9", "episodes 9 and 12", "episodes 4, 9 and 12"."""
    numbers = [str(level) for level in levels]
    if len(numbers) == 1:
        return _("episode %(number)s") % {"number": numbers[0]}
    return _("episodes %(list)s and %(last)s") % {
        "list": ", ".join(numbers[:-1]),
        "last": numbers[-1],
    }


def confirm_reveal(request, levels):
    """The page shown instead of one whose address asks to reveal items with
    tokens that are not the reader's (a link someone else made): say what it
    would show and let the reader choose."""
    reader = reader_for(request)
    context = {
        "episodes": episode_list(levels),
        "count": len(levels),
        "progress": reader.progress,
        "foreign": sorted(reader.foreign),
        "without": without_foreign(request),
        "heading": ngettext(
            "This link would show a spoiler", "This link would show spoilers", len(reader.foreign)
        ),
        "without_label": ngettext(
            "Go to the page without it", "Go to the page without them", len(reader.foreign)
        ),
    }
    response = render(request, "spoilers/reveal_confirm.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


class ForeignRevealMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and REVEAL_PARAM in request.GET:
            reader = reader_for(request)
            if reader.foreign:
                levels = levels_of(reader.foreign).values()
                spoiled = sorted({level for level in levels if level and level > reader.progress})
                if spoiled:
                    return confirm_reveal(request, spoiled)
                return HttpResponseRedirect(without_foreign(request))
        return self.get_response(request)
