"""The notification centre, the Following page, and the follow and read buttons.

Pages here are the member's own and never go through the page cache.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fansite.spoilers.readers import reader_for
from fansite.threads.models import Board, Thread

from . import lines, services
from .models import Follow, Notification

PER_PAGE = 25


def _back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@login_required
def notification_list(request):
    paginator = Paginator(Notification.objects.for_member(request.user), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    reader = reader_for(request)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "lines": [lines.describe(notification, reader) for notification in page_obj],
            "has_unread": any(n.is_unread for n in page_obj),
        },
    )


@login_required
@require_POST
def notification_read(request, pk):
    services.mark_read(member=request.user, pk=pk)
    return _back(request, reverse("notifications:notification_list"))


@login_required
@require_POST
def notification_read_all(request):
    services.mark_all_read(member=request.user)
    messages.success(request, _("All your notifications are marked read."))
    return _back(request, reverse("notifications:notification_list"))


def _target(kind, pk):
    if kind not in ("thread", "board"):
        raise Http404
    if kind == "board":
        return get_object_or_404(Board, pk=pk)
    return get_object_or_404(Thread.objects.select_related("board"), pk=pk, is_hidden=False)


@login_required
@require_POST
def follow_create(request, kind, pk):
    target = _target(kind, pk)
    services.follow(member=request.user, target=target)
    return _back(request, target.get_absolute_url())


@login_required
@require_POST
def follow_delete(request, kind, pk):
    target = _target(kind, pk)
    services.unfollow(member=request.user, target=target)
    messages.success(request, _("You no longer follow it."))
    return _back(request, target.get_absolute_url())


@login_required
def follow_list(request):
    follows = (
        Follow.objects.active()
        .filter(member=request.user)
        .exclude(thread__is_hidden=True)
        .select_related("thread__board", "board")
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(follows, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/follow_list.html",
        {
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "follow_threads_posted_in": services.follows_threads_posted_in(request.user),
        },
    )


@login_required
@require_POST
def notification_settings_update(request):
    value = request.POST.get("follow_threads_posted_in") == "on"
    services.set_follow_threads_posted_in(member=request.user, value=value)
    messages.success(request, _("Your notification settings are saved."))
    return redirect("notifications:follow_list")
