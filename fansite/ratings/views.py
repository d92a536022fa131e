from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fansite.episodes.models import Episode
from fansite.users.standing import PostingRefused
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from .forms import RatingForm
from .models import Rating
from .services import ensure_can_rate, rate_episode, remove_rating


@login_required
def rating_edit(request, number):
    """The member's own rating of an episode: give, change or remove it. A page of its
    own, so the episode page stays the same for every reader and can be cached."""
    episode = get_object_or_404(Episode, position=number)
    current = Rating.objects.filter(episode=episode, member=request.user).first()
    refused = None
    try:
        ensure_can_rate(request.user, episode)
    except PostingRefused as exc:
        refused = exc.message
    form = RatingForm(initial={"score": current.score} if current else None)
    if request.method == "POST" and refused is None:
        try:
            check_rate_limit(request, "rate")
        except Refused as exc:
            return _refused_page(request, episode, form, current, exc)
        back = episode.get_absolute_url() + "#ratings"
        if "remove" in request.POST:
            remove_rating(member=request.user, episode=episode)
            messages.success(request, _("Your rating is removed."))
            return redirect(back)
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rate_episode(member=request.user, episode=episode, score=form.cleaned_data["score"])
            except PostingRefused as exc:
                form.add_error("score", exc.message)
            else:
                messages.success(request, _("Thanks: your rating is saved."))
                return redirect(back)
    status = 200
    if request.method == "POST":
        status = 403 if refused else 400
    context = {"episode": episode, "form": form, "current": current, "refused": refused}
    return render(request, "ratings/rating_edit.html", context, status=status)


def _refused_page(request, episode, form, current, refused):
    """The form again, with the member's choice kept and the reason (a rate limit)."""
    form = RatingForm(request.POST)
    form.is_valid()
    context = {"episode": episode, "form": form, "current": current, "refused_now": refused.message}
    response = render(request, "ratings/rating_edit.html", context, status=refused.status)
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    return response
