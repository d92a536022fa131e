from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fansite.comments import threadpages
from fansite.comments.forms import ThreadEditForm, ThreadForm, comment_form_for, wants_preview
from fansite.comments.models import Comment, render_body
from fansite.comments.selectors import (
    NEWEST,
    OLDEST,
    best_comments,
    comment_page,
    first_unread,
    newest_comment,
    page_for_comment,
    reply_position,
    sort_from,
)
from fansite.comments.services import ensure_can_edit_thread, start_thread
from fansite.comments.top import AT_PARAM, TOP, top_scope
from fansite.comments.top import position as top_position
from fansite.moderation.services import edit_own_thread
from fansite.spoilers.caching import cache_per_reader
from fansite.spoilers.levels import gate_label
from fansite.spoilers.readers import REVEAL_PARAM, reader_for
from fansite.spoilers.reveals import requested_reveals, revealing_for_author
from fansite.users.standing import ensure_can_post
from fansite.web import pagecache
from fansite.web.markdown import excerpt
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from . import lists, markers, rows, scopes, selectors, services
from .models import Board, Thread, ThreadRead

SORT_PARAM = "sort"


@cache_per_reader(lambda request: [pagecache.LISTINGS])
def board_list(request):
    """Every board, episode boards by season first, with counts and latest activity."""
    sections = selectors.board_sections(request.user)
    return render(request, "threads/board_list.html", {"sections": sections})


@cache_per_reader(
    lambda request, slug: [scopes.board_scope(slug)], params=(SORT_PARAM,), shared=True
)
def board_detail(request, slug):
    """A board's threads: pinned first, then the most recently active (or, by
    ``?sort=``, the newest, or the most reacted this week or ever); for members,
    how many comments are new in each (filled in after the cache)."""
    board = lists.board_for_page(slug)
    if board is None:
        raise Http404
    sort = selectors.thread_sort_from(request.GET.get(SORT_PARAM))
    # What is new to a member is filled in after the cache (comments.markers).
    paginator = Paginator(lists.board_threads(board, sort, request.user), settings.THREADS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "board": board,
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "thread_sort": sort,
        "thread_sorts": selectors.sort_links(board.get_absolute_url(), sort),
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


@require_POST
def board_mark_read(request, slug):
    """Mark every thread on a board as read, for the member asking (docs/reading.md)."""
    board = get_object_or_404(Board, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(board.get_absolute_url())
    # Comment ids only grow: everything posted until now counts as read.
    up_to = Comment.objects.aggregate(newest=Max("pk"))["newest"]
    services.mark_board_read(member=request.user, board=board, up_to=up_to)
    messages.success(request, _("Every thread on this board is marked as read."))
    return redirect(board)


def _thread_address(thread, *, request, sort, page=1, comment=None, at=None):
    """The thread's address showing ``page`` in the order ``sort`` (for Top, of the
    snapshot ``at``), carrying the reader's own reveal tokens, landing on
    ``comment`` when given."""
    query = {}
    url = thread.get_absolute_url()
    if page > 1:
        query["page"] = page
    if sort != OLDEST:
        query[SORT_PARAM] = sort
    if at:
        query[AT_PARAM] = at
    if reveals := requested_reveals(request):
        query[REVEAL_PARAM] = reveals
    if query:
        url += "?" + urlencode(query, doseq=True)
    return f"{url}#{comment.anchor}" if comment is not None else url


def _comment_address(thread, comment, *, request, sort):
    """Where ``comment`` appears: its page of the thread in the order ``sort``, or
    the replies page of its comment for a reply past the first few shown there."""
    if comment is None:
        return _thread_address(thread, request=request, sort=sort)
    if comment.parent_id and (position := reply_position(comment)) > settings.REPLIES_SHOWN:
        # The replies page lists replies oldest first, whatever the thread's order.
        url = reverse("comments:comment_replies", kwargs={"pk": comment.parent_id})
        query = {}
        if (page := (position - 1) // settings.COMMENTS_PER_PAGE + 1) > 1:
            query["page"] = page
        if reveals := requested_reveals(request):
            query[REVEAL_PARAM] = reveals
        if query:
            url += "?" + urlencode(query, doseq=True)
        return f"{url}#{comment.anchor}"
    at = None
    if sort == TOP:
        found = top_position(thread, comment.parent_id or comment.pk)
        if found is None:
            # Posted since the current snapshot: it is surely on Oldest's pages.
            sort = OLDEST
        else:
            index, at = found
            page = index // settings.COMMENTS_PER_PAGE + 1
    if sort != TOP:
        page = page_for_comment(comment, sort=sort)
    return _thread_address(thread, request=request, sort=sort, page=page, comment=comment, at=at)


def _jump_target(request, pk):
    """The thread, and whether the reader may be taken to one of its comments (not
    when moderators hid it: the placeholder is all they get)."""
    thread = get_object_or_404(Thread, pk=pk)
    return thread, not (thread.is_hidden and not selectors.sees_hidden_threads(request.user))


def thread_unread(request, pk):
    """Jump to the first comment the member has not seen, on the page where it
    appears: computed now, so it is right whatever happened since the list was
    shown. A thread never opened starts at the top; one fully read goes to the
    newest comment; visitors have no markers and start at the top."""
    thread, may_jump = _jump_target(request, pk)
    sort = sort_from(request.GET.get(SORT_PARAM))
    target = None
    if may_jump and request.user.is_authenticated:
        last_seen = ThreadRead.objects.last_seen(request.user, thread)
        if last_seen is not None:
            target = first_unread(thread, request.user, last_seen) or newest_comment(thread)
    return redirect(_comment_address(thread, target, request=request, sort=sort))


def thread_latest(request, pk):
    """Jump to the thread's newest comment, on the page where it appears."""
    thread, may_jump = _jump_target(request, pk)
    sort = sort_from(request.GET.get(SORT_PARAM))
    target = newest_comment(thread) if may_jump else None
    return redirect(_comment_address(thread, target, request=request, sort=sort))


def _thread_scopes(request, pk):
    """Only what the page shows (fansite.comments.threadpages): a comment posted on
    page 40 leaves page 1 cached."""
    sort = sort_from(request.GET.get(SORT_PARAM))
    if sort == TOP:
        # Its generation lapses every TOP_SNAPSHOT_SECONDS.
        return [pagecache.thread_scope(pk), top_scope(pk)]
    if sort == NEWEST:
        return [pagecache.thread_scope(pk), threadpages.newest_scope(pk)]
    return [
        pagecache.thread_scope(pk),
        threadpages.page_scope(pk, threadpages.requested_page(request)),
    ]


def _thread_counts(request, pk):
    return [threadpages.counts(pk)]


@cache_per_reader(_thread_scopes, params=(SORT_PARAM, AT_PARAM), shared=True, extras=_thread_counts)
def thread_detail(request, pk):
    """A thread and its comments. When the thread spoils beyond the reader's progress,
    its title appears nowhere on the page (not even in <head>) until they reveal it.

    Members share the page (fansite.spoilers.caching): what is new to them, and
    their own links, are filled in after the cache (fansite.threads.markers),
    which also moves their read marker. ``?sort=newest`` lists the newest comments first,
    ``?sort=top`` the most reacted (fansite.comments.top: its pages carry ``?at=``, the
    snapshot they slice); each order's pages are cached apart."""
    thread = rows.thread_for_page(pk, request.user)
    if thread is None:
        raise Http404
    # Read with the thread, so filling in what is new to the member costs no query
    # when the page is rendered (fansite.threads.markers).
    markers.remember_last_seen(request, thread)
    if thread.is_hidden and not selectors.sees_hidden_threads(request.user):
        # A placeholder, not a 404, so links to it still say what happened; nothing
        # of the thread (title, posts, meta) reaches the page.
        return render(request, "threads/thread_hidden.html", {"thread": thread})
    reader = reader_for(request)
    # Revealing the thread also shows the comments that spoil no more than it does.
    page_reader = reader.for_page(thread)
    is_gated = reader.hides(thread)
    label = gate_label(thread) if is_gated else None
    sort = sort_from(request.GET.get(SORT_PARAM))
    known = threadpages.cached_counts(request, thread.pk)
    comments = comment_page(
        target=thread,
        page=request.GET.get("page"),
        sort=sort,
        at=request.GET.get(AT_PARAM),
        counts=known[:2] if known else None,
    )
    shown = comments.page_obj.object_list
    if sort == OLDEST and comments.page_obj.number == 1:
        opener = shown[0] if shown else None
    else:
        opener = (
            Comment.objects.for_target(thread)
            .order_by("pk")
            .only("pk", "body", "spoils_episode", "is_removed", "is_hidden", "thread")
            .first()
        )
    if comments.snapshot is not None and request.GET.get(AT_PARAM) != comments.snapshot.token:
        # The page links (includes/_pagination.html keeps the query) name the
        # snapshot, so every page of this visit slices the same order.
        request.GET = request.GET.copy()
        request.GET[AT_PARAM] = comments.snapshot.token
    context = {
        "thread": thread,
        "board": thread.board,
        "is_gated": is_gated,
        "spoiler_label": label,
        "page_title": label if is_gated else thread.title,
        "description": label if is_gated else _description(thread, opener, page_reader),
        "page_reader": page_reader,
        "comments": comments,
        # Refuses (with the reason) on locked threads and for banned members.
        "comment_form": comment_form_for(request, thread, page_reader),
        "sort": sort,
        "sort_links": [
            (key, label, _thread_address(thread, request=request, sort=key))
            for key, label in (
                (OLDEST, _("Oldest first")),
                (NEWEST, _("Newest first")),
                (TOP, _("Top")),
            )
        ],
        "best": _best_strip(thread, comments, sort),
        "top_moved_on": comments.snapshot is not None and comments.snapshot.moved_on,
        "latest_url": _jump_address("threads:thread_latest", thread, request=request, sort=sort),
        # Where what is new to a member goes (fansite.threads.markers).
        "read_markers": request.user.is_authenticated,
        # The thread's counts are filled in after the cache (fansite.comments.markers).
        "count_markers": True,
        "pages_marker": sort == OLDEST,
    }
    threadpages.counted(
        request, thread.pk, (comments.total, comments.paginator.count, thread.reply_count)
    )
    response = render(request, "threads/thread_detail.html", context)
    if sort == OLDEST and not threadpages.is_canonical_page(request, comments.page_obj.number):
        response.page_cache_refused = True
    return response


def _best_strip(thread, comments, sort):
    """The "Best comments" strip: on the first page of a thread longer than a page,
    in the Oldest and Newest orders (Top begins with them anyway)."""
    page_obj = comments.page_obj
    if sort == TOP or page_obj.number != 1 or not page_obj.has_next():
        return []
    return best_comments(thread)


def _jump_address(name, thread, *, request, sort):
    url = reverse(name, kwargs={"pk": thread.pk})
    query = {SORT_PARAM: sort} if sort != OLDEST else {}
    if reveals := requested_reveals(request):
        query[REVEAL_PARAM] = reveals
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


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
