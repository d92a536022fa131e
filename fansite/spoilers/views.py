"""Setting how far the reader has watched (the header's selector and the first-visit
question post here, and the "I've watched episode N" buttons, which only ever raise
it; sign-up ends by asking) and revealing gated items (the gates' Show buttons post
here)."""

from http import HTTPStatus

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens
from .forms import ProgressForm, WatchedEpisodeForm
from .readers import (
    REVEAL_PARAM,
    Reader,
    has_chosen_progress,
    mark_progress_chosen,
    progress_message,
    raise_progress,
    reader_for,
    set_progress,
)
from .reveals import adding_reveals

DISMISSED_MESSAGE = gettext_lazy(
    "We won't ask again. You can say how far you've watched at any time under "
    "“I've watched up to” at the top of the page."
)


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
    """Set how far the reader has watched: the header's selector and the first-visit
    question (includes/_first_visit.html) post here. Either counts as an answer, and
    so does the question's "Not now" (``dismiss``), which leaves the progress alone.

    Works for members (stored on the profile) and visitors (stored in the session).
    """
    next_url = safe_next(request)
    if request.method == "POST" and "dismiss" in request.POST:
        mark_progress_chosen(request)
        messages.info(request, DISMISSED_MESSAGE)
        return redirect(next_url)
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
    context = {"form": form, "next": next_url, "asks_progress": False}
    return render(request, "spoilers/progress_update.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def progress_signup(request):
    """The last step of signing up: "How far have you watched?", then the welcome.

    The sign-up adapter (fansite.users.adapters) sends a new member here, with where
    they were going as ``next``, unless they already answered as a visitor (their
    answer went with them onto the account). Choosing or skipping welcomes them and
    sends them on; nothing here is required.
    """
    next_url = safe_next(request)
    if request.method == "GET" and has_chosen_progress(request):
        return redirect(next_url)  # answered already (another tab, the back button)
    form = ProgressForm()
    status = HTTPStatus.OK
    if request.method == "POST":
        if "skip" in request.POST:
            mark_progress_chosen(request)
            return _welcome(request, next_url, None)
        form = ProgressForm(request.POST)
        if form.is_valid():
            episode = form.cleaned_data["watched_up_to"]
            set_progress(request, episode)
            return _welcome(request, next_url, episode)
        status = HTTPStatus.BAD_REQUEST
    context = {"form": form, "next": next_url, "asks_progress": False}
    return render(request, "spoilers/progress_signup.html", context, status=status)


def _welcome(request, next_url, episode):
    # The welcome allauth would have said on signing up (the adapter held it back).
    get_adapter(request).add_message(
        request, messages.SUCCESS, "account/messages/signed_up.txt", {"user": request.user}
    )
    if episode is not None:
        messages.success(request, progress_message(episode))
    return redirect(next_url)


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
