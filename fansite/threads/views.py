from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fansite.comments.forms import ThreadEditForm, ThreadForm, comment_form_for, wants_preview
from fansite.comments.models import Comment, render_body
from fansite.comments.selectors import comment_page
from fansite.comments.services import ensure_can_edit_thread, start_thread
from fansite.moderation.services import edit_own_thread
from fansite.spoilers.caching import cache_per_reader
from fansite.spoilers.levels import gate_label
from fansite.spoilers.readers import reader_for
from fansite.spoilers.reveals import revealing_for_author
from fansite.users.standing import ensure_can_post
from fansite.web import pagecache
from fansite.web.markdown import excerpt
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from . import selectors, services
from .models import Board, Thread


@cache_per_reader(lambda request: [pagecache.LISTINGS])
def board_list(request):
    """Every board, episode boards by season first, with counts and latest activity."""
    sections = selectors.board_sections(request.user)
    return render(request, "threads/board_list.html", {"sections": sections})


@cache_per_reader(lambda request, slug: [pagecache.LISTINGS])
def board_detail(request, slug):
    """A board's threads: pinned first, then the most recently active."""
    board = get_object_or_404(Board.objects.with_episode(), slug=slug)
    threads = selectors.listed_threads(request.user, Thread.objects.for_board(board))
    paginator = Paginator(threads, settings.THREADS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "board": board,
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
    }
    return render(request, "threads/board_detail.html", context)


def thread_create(request, slug):
    """Start a thread on a board. A refused or invalid post re-renders the form with
    everything the member typed."""
    board = get_object_or_404(Board.objects.with_episode(), slug=slug)
    if request.method != "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = None
    retry_after = None
    status = HTTPStatus.OK
    preview = None
    if request.method == "POST":
        form = ThreadForm(request.POST, board=board, author=request.user)
        if form.is_valid() and wants_preview(request):
            # Refused exactly as posting would be, and nothing is written.
            try:
                ensure_can_post(request.user)
                services.ensure_can_start_thread(request.user)
                check_rate_limit(request, "preview")
            except Refused as refused:
                refusal = refused.message
                status = refused.status
                retry_after = refused.retry_after
            else:
                preview = render_body(form.cleaned_data["body"])
        elif form.is_valid():
            try:
                ensure_can_post(request.user)
                # Counted once the form is valid: a typo the form catches costs nothing.
                check_rate_limit(request, "thread")
                thread = start_thread(
                    board=board,
                    author=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    spoils_episode=form.cleaned_data["spoils_episode"],
                )
            except Refused as refused:
                # The bound form goes back to the page, so nothing typed is lost.
                refusal = refused.message
                status = refused.status
                retry_after = refused.retry_after
            else:
                # The author knows what they wrote: show it to them, not its gate.
                return redirect(
                    revealing_for_author(thread.get_absolute_url(), thread, reader_for(request))
                )
    else:
        form = ThreadForm(board=board, author=request.user)
        try:
            ensure_can_post(request.user)
            services.ensure_can_start_thread(request.user)
        except Refused as refused:
            # Say so before the member types anything.
            refusal = refused.message
    context = {"board": board, "form": form, "refusal": refusal, "preview": preview}
    response = render(request, "threads/thread_create.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _description(thread, opener, page_reader):
    """A spoiler-safe summary of the opening post, for meta description and Open Graph."""
    if opener is None or not opener.is_visible:
        return _("A discussion thread on the %(board)s board.") % {"board": thread.board.title}
    if page_reader.hides(opener):
        return gate_label(opener)
    return excerpt(opener.body, 160)


@cache_per_reader(lambda request, pk: [pagecache.thread_scope(pk)])
def thread_detail(request, pk):
    """A thread and its comments. When the thread spoils beyond the reader's progress,
    its title appears nowhere on the page (not even in <head>) until they reveal it."""
    thread = get_object_or_404(
        Thread.objects.select_related("board__episode", "author", "spoils_episode"), pk=pk
    )
    if thread.is_hidden and not selectors.sees_hidden_threads(request.user):
        # A placeholder, not a 404, so links to it still say what happened; nothing
        # of the thread (title, posts, meta) reaches the page.
        return render(request, "threads/thread_hidden.html", {"thread": thread})
    reader = reader_for(request)
    # Revealing the thread also shows the comments that spoil no more than it does.
    page_reader = reader.for_page(thread)
    is_gated = reader.hides(thread)
    label = gate_label(thread) if is_gated else None
    opener = (
        Comment.objects.for_target(thread)
        .order_by("pk")
        .only("pk", "body", "spoils_episode", "is_removed", "is_hidden", "thread")
        .first()
    )
    context = {
        "thread": thread,
        "board": thread.board,
        "is_gated": is_gated,
        "spoiler_label": label,
        "page_title": label if is_gated else thread.title,
        "description": label if is_gated else _description(thread, opener, page_reader),
        "page_reader": page_reader,
        "comments": comment_page(target=thread, page=request.GET.get("page")),
        # Refuses (with the reason) on locked threads and for banned members.
        "comment_form": comment_form_for(request, thread, page_reader),
    }
    return render(request, "threads/thread_detail.html", context)


@require_http_methods(["GET", "POST"])
def thread_edit(request, pk):
    """The author corrects their thread's title and may raise its spoiler episode. A
    refused or invalid post re-renders the form with what they typed."""
    thread = get_object_or_404(Thread.objects.select_related("board__episode", "author"), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = None
    retry_after = None
    status = HTTPStatus.OK
    preview = None
    form = ThreadEditForm(request.POST or None, thread=thread)
    try:
        # Someone else's thread is not pre-filled: its title may be gated for them.
        ensure_can_edit_thread(request.user, thread)
    except Refused as refused:
        refusal = refused.message
        status = refused.status
    else:
        if request.method == "POST" and form.is_valid() and wants_preview(request):
            try:
                check_rate_limit(request, "preview")
            except Refused as refused:
                refusal = refused.message
                status = refused.status
                retry_after = refused.retry_after
            else:
                # A title is plain text: its preview is the title as readers will see it.
                preview = form.cleaned_data["title"]
        elif request.method == "POST" and form.is_valid():
            try:
                check_rate_limit(request, "edit")
                changed = edit_own_thread(
                    thread=thread,
                    author=request.user,
                    title=form.cleaned_data["title"],
                    episode_position=form.cleaned_data["spoils_episode"],
                )
            except Refused as refused:
                refusal = refused.message
                status = refused.status
                retry_after = refused.retry_after
            else:
                if changed:
                    messages.success(request, _("Your thread has been updated."))
                # The author knows what they wrote: show it to them, not its gate.
                return redirect(
                    revealing_for_author(thread.get_absolute_url(), thread, reader_for(request))
                )
    context = {
        "thread": thread,
        "board": thread.board,
        "form": form,
        "refusal": refusal,
        "show_form": thread.author_id == request.user.pk,
        "preview": preview,
    }
    response = render(request, "threads/thread_edit.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
