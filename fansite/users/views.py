from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fansite.articles.models import Article
from fansite.comments.selectors import comments_by, reactions_received
from fansite.moderation.notices import for_profile as notices_for_profile
from fansite.spoilers.readers import progress_message, reader_for, set_progress
from fansite.threads.models import Thread
from fansite.threads.selectors import listed_threads
from fansite.web.markdown import excerpt
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from .forms import AccountDeleteForm, ProfileForm
from .services import AccountDeletionRefused, delete_account, set_time_zone, update_profile
from .standing import ensure_can_edit_profile

User = get_user_model()

# How many of a member's articles, threads and comments their profile lists.
PROFILE_ARTICLE_COUNT = 10
PROFILE_THREAD_COUNT = 10
PROFILE_COMMENT_COUNT = 10
COMMENT_EXCERPT_LENGTH = 200


def published_articles_by(member):
    """The member's latest published articles."""
    return list(Article.objects.published().filter(author=member)[:PROFILE_ARTICLE_COUNT])


def threads_by(member, viewer):
    """The member's latest threads that ``viewer`` may see listed, with their boards."""
    return list(
        listed_threads(viewer, Thread.objects.filter(author=member))
        .select_related("board")
        .order_by("-created_at", "-pk")[:PROFILE_THREAD_COUNT]
    )


def visible_comments_by(member, reader):
    """The member's latest comments, each with a spoiler-free ``excerpt`` when the
    reader may see it (None when the comment is gated for them)."""
    comments = [c for c in comments_by(member, PROFILE_COMMENT_COUNT) if c.is_visible]
    for comment in comments:
        # Only computed for comments the reader may see: a gated comment's text
        # must not reach the page in any form.
        comment.excerpt = (
            None if reader.hides(comment) else excerpt(comment.body, COMMENT_EXCERPT_LENGTH)
        )
    return comments


def profile_detail(request, username):
    member = get_object_or_404(User.objects.filter(is_active=True), username__iexact=username)
    if member.username != username:
        # One address per member: /members/ALICE/ redirects to /members/alice/.
        return redirect(member, permanent=True)
    reader = reader_for(request)
    is_own = request.user.is_authenticated and request.user.pk == member.pk
    return render(
        request,
        "users/profile_detail.html",
        {
            "member": member,
            "articles": published_articles_by(member),
            "threads": threads_by(member, request.user),
            "comments": visible_comments_by(member, reader),
            "reactions_received": reactions_received(member),
            # Changes others made to the member's spoiler levels: for their eyes only,
            # and spoiler-safe for them (moderation.notices.describe).
            "level_notices": notices_for_profile(member, reader) if is_own else None,
        },
    )


def _changes_profile(member, data):
    """Whether the valid profile form ``data`` changes what others see."""
    return bool(
        data["display_name"] != member.display_name
        or data["bio"] != member.bio
        or data["avatar"] is not None
        or data.get("remove_avatar")
    )


def _refused_profile_page(request, form, refusal):
    form.add_error(None, refusal.message)
    context = {"form": form, "member": request.user}
    response = render(request, "users/profile_edit.html", context, status=refusal.status)
    if refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    member = request.user
    if request.method == "POST":
        if request.FILES.get("avatar"):
            try:
                # Before the form reads the picture: processing images is the costly part.
                check_rate_limit(request, "avatar")
            except Refused as refusal:
                # Everything typed is kept; the file input cannot be refilled anyway.
                form = ProfileForm(request.POST, member=member)
                return _refused_profile_page(request, form, refusal)
        form = ProfileForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            progress = form.cleaned_data["watched_up_to"]
            progress_changed = progress is not None and progress != member.watched_up_to
            if progress_changed:
                # Saved even when the rest is refused: banned members may still
                # say how far they have watched.
                set_progress(request, progress)
            if "time_zone" in request.POST:
                # Like the progress: saved even when the rest is refused.
                set_time_zone(member=member, time_zone=form.cleaned_data["time_zone"])
            if _changes_profile(member, form.cleaned_data):
                try:
                    update_profile(
                        member=member,
                        display_name=form.cleaned_data["display_name"],
                        bio=form.cleaned_data["bio"],
                        avatar=form.cleaned_data["avatar"],
                        remove_avatar=form.cleaned_data.get("remove_avatar", False),
                    )
                except Refused as refusal:
                    if progress_changed:
                        messages.info(request, progress_message(progress))
                    return _refused_profile_page(request, form, refusal)
            messages.success(request, _("Your profile has been saved."))
            return redirect(member)
    else:
        form = ProfileForm(member=member)
        try:
            ensure_can_edit_profile(member)
        except Refused as refusal:
            # Say so before the member types anything.
            messages.warning(request, refusal.message)
    return render(request, "users/profile_edit.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete your own account (personal data removed, posts kept anonymously)."""
    member = request.user
    form = AccountDeleteForm(request.POST or None, member=member)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            delete_account(member=member)
        except AccountDeletionRefused as refused:
            refusal = refused.message
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted. Thank you for being here."))
            return redirect("/")
    status = HTTPStatus.FORBIDDEN if refusal else HTTPStatus.OK
    return render(
        request,
        "users/account_delete.html",
        {"form": form, "member": member, "refusal": refusal},
        status=status,
    )
