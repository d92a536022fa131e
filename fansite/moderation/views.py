"""Reporting, seen from the member's side: the report page for a comment, a
thread or a member's profile.

The page works without JavaScript. It shows what is being reported without
ever leaking spoilers or hidden text: a gated item appears as its spoiler label
(with the usual "Show" link), a hidden one as a placeholder. A refused report
re-renders the form with the reason and everything the member typed.
"""

from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fansite.comments.models import Comment
from fansite.spoilers.readers import reader_for
from fansite.threads.models import Thread
from fansite.threads.selectors import sees_hidden_threads
from fansite.users.standing import ensure_can_guard
from fansite.web.markdown import excerpt
from fansite.web.ratelimits import RateLimited, check_rate_limit
from fansite.web.refusals import Refused

from .forms import GuardRaiseForm, ReportForm
from .models import Report
from .services import ReportRefused, ensure_can_report, guard_raise_item, report_item

EXCERPT_LENGTH = 300
SEES_HIDDEN_COMMENTS_PERM = "comments.change_comment"


@dataclass(frozen=True)
class ReportedItem:
    """What the report page says about the item, already made spoiler-safe.

    ``kind``       "comment", "thread" or "member"
    ``item``       the Comment, Thread or User
    ``back_url``   where the member returns: the comment's permalink, the thread, the profile
    ``hidden``     moderators hid it (or the thread it is in) and the reader is no moderator:
                   nothing of its text is shown
    ``thread``     the thread a comment is in (None on articles), or the reported thread
    ``text``       a spoiler-free excerpt of a comment, or None when it is gated or hidden
    """

    kind: str
    item: object
    back_url: str
    hidden: bool = False
    thread: Thread | None = None
    text: str | None = None


def _comment(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related(
            "author", "thread__board", "thread__author", "article__spoils_episode"
        ),
        pk=pk,
    )
    if comment.is_removed:
        # Withdrawn by its author: there is nothing left on the page to report.
        raise Http404
    if comment.article_id and not comment.article.is_published and not request.user.is_staff:
        raise Http404
    return comment


def reported_item(request, kind, pk) -> ReportedItem:
    """The item named by the URL, described for this reader; 404 for anything else."""
    reader = reader_for(request)
    user = request.user
    if kind == "comment":
        comment = _comment(request, pk)
        thread_hidden = bool(comment.thread_id) and comment.thread.is_hidden
        hidden = (comment.is_hidden and not user.has_perm(SEES_HIDDEN_COMMENTS_PERM)) or (
            thread_hidden and not sees_hidden_threads(user)
        )
        # The text only when the reader may read it anyway: never gated, never hidden.
        text = None if hidden or reader.hides(comment) else excerpt(comment.body, EXCERPT_LENGTH)
        return ReportedItem(
            kind=kind,
            item=comment,
            back_url=comment.get_absolute_url(),
            hidden=hidden,
            thread=comment.thread if comment.thread_id else None,
            text=text,
        )
    if kind == "thread":
        thread = get_object_or_404(Thread.objects.select_related("board", "author"), pk=pk)
        hidden = thread.is_hidden and not sees_hidden_threads(user)
        return ReportedItem(
            kind=kind,
            item=thread,
            back_url=thread.get_absolute_url(),
            hidden=hidden,
            thread=thread,
        )
    if kind == "member":
        member = get_object_or_404(get_user_model().objects.filter(is_active=True), pk=pk)
        return ReportedItem(kind=kind, item=member, back_url=member.get_absolute_url())
    raise Http404


@require_http_methods(["GET", "POST"])
def report_create(request, kind, pk):
    """Report a comment, a thread or a member to the moderators."""
    reported = reported_item(request, kind, pk)
    if request.method == "GET" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())

    refusal = None
    retry_after = None
    already_reported = False
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ReportForm(request.POST)
        if not request.user.is_authenticated:
            # The session ran out while they typed: keep the text, say how to go on.
            refusal = _("Log in to report something to the moderators. Your text is kept below.")
            status = HTTPStatus.FORBIDDEN
        elif form.is_valid():
            try:
                # Counted once the form is valid, so a forgotten reason costs nothing.
                check_rate_limit(request, "report")
                report_item(
                    reporter=request.user,
                    item=reported.item,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except RateLimited as limited:
                refusal = limited.message
                status = limited.status
                retry_after = limited.retry_after
            except ReportRefused as refused:
                refusal = refused.message
                status = HTTPStatus.FORBIDDEN
            else:
                messages.success(request, _("Thanks — moderators will take a look."))
                return redirect(reported.back_url)
    else:
        form = ReportForm()
        try:
            # Say so before the member types anything.
            ensure_can_report(request.user)
        except ReportRefused as refused:
            refusal = refused.message
        else:
            already_reported = (
                Report.objects.open().about(reported.item).filter(reporter=request.user).exists()
            )

    context = {
        "reported": reported,
        "form": form,
        "refusal": refusal,
        "already_reported": already_reported,
        # A refused post keeps its form (and text); a refusal on arrival needs none.
        "show_form": request.method == "POST" or (refusal is None and not already_reported),
        "login_url": None
        if request.user.is_authenticated
        else f"{reverse('account_login')}?{urlencode({'next': request.path})}",
    }
    response = render(request, "moderation/report_create.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def guard_raise(request, kind, pk):
    """A spoiler guard raises a comment's or thread's spoiler episode (never lowers it).
    The item is described as on the report page: spoiler-safe for the guard too."""
    if kind not in ("comment", "thread"):
        raise Http404
    reported = reported_item(request, kind, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    item = reported.item
    form = GuardRaiseForm(request.POST or None, level=item.spoiler_level)
    refusal = None
    retry_after = None
    status = HTTPStatus.OK
    try:
        ensure_can_guard(request.user)
        if reported.hidden:
            raise Refused(_("Moderators have hidden this; its spoiler episode cannot be changed."))
        if request.method == "POST" and form.is_valid():
            # Counted once the form is valid: a guard cannot re-tag the site in a minute.
            check_rate_limit(request, "guard")
            guard_raise_item(
                item=item,
                guard=request.user,
                episode_position=form.cleaned_data["spoils_episode"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("It now spoils up to episode %(number)s. Thank you for keeping readers safe.")
                % {"number": form.cleaned_data["spoils_episode"]},
            )
            return redirect(reported.back_url)
    except RateLimited as limited:
        refusal, status, retry_after = limited.message, limited.status, limited.retry_after
    except Refused as refused:
        refusal, status = refused.message, refused.status
    context = {
        "reported": reported,
        "form": form,
        "refusal": refusal,
        "show_form": request.user.is_spoiler_guard and not reported.hidden,
    }
    response = render(request, "moderation/guard_raise.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
