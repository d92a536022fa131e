"""Setting how far the reader has watched (the header's selector posts here, and
the "I've watched episode N" buttons, which only ever raise it) and revealing gated
items (the gates' Show buttons post here)."""

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens
from .forms import ProgressForm, WatchedEpisodeForm
from .readers import (
    REVEAL_PARAM,
    Reader,
    progress_message,
    raise_progress,
    reader_for,
    set_progress,
)
from .reveals import adding_reveals


def safe_next(request, default="/"):
    """The ``next`` address from the form or query, if it points back to this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def progress_update(request):
    """Set how far the reader has watched: the header's selector posts here.

    Works for members (stored on the profile) and visitors (stored in the session).
    """
    next_url = safe_next(request)
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            episode = form.cleaned_data["watched_up_to"]
            set_progress(request, episode)
            messages.success(request, progress_message(episode))
            return redirect(next_url)
        status = HTTPStatus.BAD_REQUEST
    else:
        form = ProgressForm(initial={"watched_up_to": reader_for(request).progress})
        status = HTTPStatus.OK
    return render(
        request, "spoilers/progress_update.html", {"form": form, "next": next_url}, status=status
    )


@require_POST
def episode_watched(request):
    """The "I've watched episode N" button (episode pages and boards): raise the
    reader's progress to N, never lower it. A reader already past N is told so, and keeps
    their progress; the header's selector is the way back."""
    next_url = safe_next(request)
    form = WatchedEpisodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["episode"][0])
        return redirect(next_url)
    episode = form.cleaned_data["episode"]
    if raise_progress(request, episode):
        messages.success(
            request,
            _(
                "Episode %(number)s marked as watched: spoilers up to episode %(number)s "
                "are now shown."
            )
            % {"number": episode},
        )
    else:
        messages.info(
            request,
            _(
                "You have already watched up to episode %(progress)s, so your progress "
                "stays there. To go back, use “I've watched up to” at the top of the page."
            )
            % {"progress": reader_for(request).progress},
        )
    return redirect(next_url)


@require_POST
def reveal(request):
    """Show one gated item (or the items a confirmation lists): back to ``next``
    with a reveal token made for this reader added to its address.

    A POST with the CSRF token, so only a page of this site, used by the reader,
    can ask for it. A visitor's tokens are bound to their CSRF secret, so make
    sure their browser has one before making them.
    """
    get_token(request)
    reader = Reader(binding=tokens.binding_for(request))
    next_url = adding_reveals(safe_next(request), request.POST.getlist(REVEAL_PARAM), reader)
    response = HttpResponseRedirect(next_url)
    response.status_code = HTTPStatus.SEE_OTHER  # after a POST, fetch the page with GET
    return response
