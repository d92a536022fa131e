"""Posting, editing, removing and linking to comments.

The comments themselves are shown by the thread and article pages through the
``comments/_comments.html`` partial; these views only handle the forms and the
permalinks. A failed post never loses the member's text: the form page shows
the reason next to what they typed.

Every compose form has a Preview button (``name="preview"``): the same POST, checked
the same way, answered with the form page showing the rendered text above the form
and saving nothing. ``comment_preview`` is the live preview's endpoint: the rendered
HTML of the posted text, for the script in ``static/js/site.js`` (docs/writing.md);
``comment_quote`` gives the same script the Quote action's text, gated as the page is.
"""

import functools
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fansite.articles.models import Article
from fansite.spoilers.readers import REVEAL_PARAM, reader_for
from fansite.spoilers.reveals import requested_reveals, revealing_for_author
from fansite.threads.models import Thread
from fansite.threads.selectors import sees_hidden_threads
from fansite.users.standing import ensure_can_post
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from .forms import CommentForm, gated_quote_notice, quote_for, wants_preview
from .models import BODY_MAX_LENGTH, Comment, render_body
from .selectors import (
    comment_form_for,
    page_for_comment,
    reply_page,
    reply_position,
    target_kind,
)
from .services import (
    edit_comment,
    ensure_can_comment,
    ensure_can_edit,
    post_comment,
    remove_comment,
)


def _get_target(request, kind, pk):
    if kind == "thread":
        # With its board: the pages a new comment replaces are named by it.
        return get_object_or_404(Thread.objects.select_related("board__episode"), pk=pk)
    if kind == "article":
        articles = Article.objects.select_related("spoils_episode")
        if not request.user.is_staff:
            articles = articles.published()
        return get_object_or_404(articles, pk=pk)
    raise Http404


def _login_url(request, next_url):
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def _form_page(
    request,
    *,
    form,
    target,
    action,
    error=None,
    comment=None,
    status=HTTPStatus.OK,
    refusal=None,
    preview=None,
):
    """The stand-alone comment form: a refused or invalid post with its text, an edit,
    or a preview (``preview``: the rendered HTML of the text, shown above the form).

    ``refusal`` (a Refused) supplies the message and status of a refused write."""
    if refusal is not None:
        error = refusal.message
        status = refusal.status
    back_url = comment.get_absolute_url() if comment else target.get_absolute_url()
    context = {
        "form": form,
        "target": target,
        "kind": target_kind(target),
        "comment": comment,
        "action": action,
        "error": error,
        "back_url": back_url,
        "preview": preview,
        "login_url": None
        if request.user.is_authenticated
        else _login_url(request, target.get_absolute_url()),
    }
    response = render(request, "comments/comment_form.html", context, status=status)
    if refusal is not None and refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _text_refusal(message, status, retry_after=None):
    """A refusal for the page's script: plain text written for the member."""
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _permalink_for(request, comment):
    """Where to send a member after they wrote ``comment``: its permalink, revealing
    it if it spoils more than they have watched (they wrote it, after all)."""
    return revealing_for_author(comment.get_absolute_url(), comment, reader_for(request))


def _preview_page(request, page, form):
    """Answer a Preview of a valid ``form``: ``page(...)`` (the form page, its form, target
    and comment already bound) with the text rendered above the form. Nothing is
    written, so neither the posting limit nor the duplicate check hears of it; the
    preview limit does, and its refusal is answered like a refused post."""
    try:
        check_rate_limit(request, "preview")
    except Refused as refusal:
        return page(refusal=refusal)
    return page(preview=render_body(form.cleaned_data["body"]))


@require_POST
def comment_create(request, kind, pk):
    target = _get_target(request, kind, pk)
    form = CommentForm(request.POST, target=target)
    page = functools.partial(_form_page, request, form=form, target=target, action=request.path)
    try:
        ensure_can_comment(request.user, target)
    except Refused as refusal:
        return page(refusal=refusal)
    if not form.is_valid():
        return page()
    if wants_preview(request):
        return _preview_page(request, page, form)

    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.for_target(target).filter(pk=form.cleaned_data["parent"]).first()
        if parent is None or not parent.is_visible:
            form.add_error(
                None,
                _(
                    "The comment you are answering is no longer available. Your text is "
                    "below: post it as a new comment or keep it for later."
                ),
            )
            form.data = form.data.copy()
            form.data["parent"] = ""
            return page()
    try:
        # Counted once the form is valid: a typo the form catches costs nothing.
        check_rate_limit(request, "comment")
        comment = post_comment(
            target=target,
            author=request.user,
            body=form.cleaned_data["body"],
            spoils_episode=form.cleaned_data["spoils_episode"],
            parent=parent,
        )
    except Refused as refusal:
        return page(refusal=refusal)
    return HttpResponseRedirect(_permalink_for(request, comment))


def _comment_or_404(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("author", "thread", "article__spoils_episode"), pk=pk
    )
    if comment.article_id and not request.user.is_staff and not comment.article.is_published:
        raise Http404
    return comment


def _edit_initial(comment):
    default_level = comment.target.spoiler_level
    level = comment.spoiler_level
    raised = level is not None and (default_level is None or level > default_level)
    return {"body": comment.body, "spoils_episode": level if raised else None}


@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = _comment_or_404(request, pk)
    target = comment.target
    minimum = comment.spoiler_level
    form = (
        CommentForm(request.POST, target=target, minimum=minimum)
        if request.method == "POST"
        else None
    )
    page = functools.partial(
        _form_page, request, form=form, target=target, action=request.path, comment=comment
    )
    try:
        ensure_can_edit(request.user, comment)
    except Refused as refusal:
        # Someone else's comment is not pre-filled: its text may be gated for them.
        return page(refusal=refusal)
    if form is None:
        form = CommentForm(initial=_edit_initial(comment), target=target, minimum=minimum)
        return page(form=form)
    if not form.is_valid():
        return page()
    if wants_preview(request):
        return _preview_page(request, page, form)
    try:
        check_rate_limit(request, "edit")
        edit_comment(
            comment=comment,
            editor=request.user,
            body=form.cleaned_data["body"],
            spoils_episode=form.cleaned_data["spoils_episode"],
        )
    except Refused as refusal:
        return page(refusal=refusal)
    return HttpResponseRedirect(_permalink_for(request, comment))


@never_cache
@require_POST
def comment_preview(request):
    """The live preview: the posted ``body`` rendered exactly as posting it would store
    it (sanitized, quoted spoilers resolved inside their closed spoilers), as an HTML
    fragment. For members who may post, under the ``preview`` rate limit; refusals
    are plain text with the status posting would answer."""
    try:
        ensure_can_post(request.user)
        body = request.POST.get("body", "")
        if len(body) > BODY_MAX_LENGTH:
            return _text_refusal(
                _("Your text is too long to preview: keep it under %(max)d characters.")
                % {"max": BODY_MAX_LENGTH},
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        check_rate_limit(request, "preview")
    except Refused as refusal:
        return _text_refusal(refusal.message, refusal.status, refusal.retry_after)
    return HttpResponse(render_body(body) if body.strip() else "")


@never_cache
@require_http_methods(["GET"])
def comment_quote(request, pk):
    """The Quote action's compose-box content, for the script that opens the box under
    the comment without leaving the page (``static/js/site.js``): JSON with the quote's
    Markdown (``forms.quote_for``, as ``?quote=<pk>`` prefills it), the comment it
    answers, and the "spoils up to" episode and help texts the quote needs.

    Gated like the page: a comment the reader's page would hide (``?reveal=`` tokens
    count, as on the page) is refused with the same words as the no-JavaScript form,
    and its text is never sent. Refusals are plain text (403); a comment that is gone,
    hidden by moderators, or on a hidden thread or an unpublished article is 404."""
    comment = _comment_or_404(request, pk)
    target = comment.target
    if not comment.is_visible or (
        comment.thread_id and target.is_hidden and not sees_hidden_threads(request.user)
    ):
        raise Http404
    try:
        ensure_can_comment(request.user, target)
    except Refused as refusal:
        return _text_refusal(refusal.message, refusal.status)
    if reader_for(request).for_page(target).hides(comment):
        return _text_refusal(gated_quote_notice(comment), HTTPStatus.FORBIDDEN)
    quote = quote_for(target, comment)
    return JsonResponse(
        {
            "parent": comment.pk,
            "body": quote.body,
            "body_help": quote.body_help,
            "spoils_episode": quote.level,
            "spoils_episode_help": quote.level_help,
        }
    )


@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment = _comment_or_404(request, pk)
    context = {"comment": comment, "target": comment.target, "error": None}
    try:
        ensure_can_edit(request.user, comment)
    except Refused as refusal:
        context["error"] = refusal.message
        return render(request, "comments/comment_delete.html", context, status=refusal.status)
    if request.method == "POST":
        remove_comment(comment=comment, user=request.user)
        messages.success(
            request,
            _("Your comment was removed. Replies to it stay in the conversation."),
            fail_silently=True,
        )
        return redirect(comment)
    return render(request, "comments/comment_delete.html", context)


def comment_permalink(request, pk):
    """The stable address of a comment: sends the reader to the page showing it (the
    replies page for a reply past the first few under its comment)."""
    comment = _comment_or_404(request, pk)
    query = {}
    url = comment.target.get_absolute_url()
    if comment.parent_id and (position := reply_position(comment)) > settings.REPLIES_SHOWN:
        page = (position - 1) // settings.COMMENTS_PER_PAGE + 1
        url = reverse("comments:comment_replies", kwargs={"pk": comment.parent_id})
    else:
        page = page_for_comment(comment)
    if page > 1:
        query["page"] = page
    reveals = requested_reveals(request)
    if reveals:
        query[REVEAL_PARAM] = reveals
    if query:
        url += "?" + urlencode(query, doseq=True)
    return HttpResponseRedirect(f"{url}#{comment.anchor}")


def comment_replies(request, pk):
    """Every reply to a top-level comment, a page at a time: where "show all replies"
    leads from a thread or an article. Spoilers are gated exactly as on the thread
    page; a thread's title appears only when the reader may see it."""
    parent = _comment_or_404(request, pk)
    if parent.parent_id:
        return HttpResponseRedirect(
            reverse("comments:comment_replies", kwargs={"pk": parent.parent_id})
        )
    target = parent.target
    if parent.thread_id and target.is_hidden and not sees_hidden_threads(request.user):
        return render(request, "threads/thread_hidden.html", {"thread": target})
    reader = reader_for(request)
    page_reader = reader.for_page(target)
    parent.is_opening_post = parent.thread_id is not None and parent.pk == (
        Comment.objects.for_target(target).order_by("pk").values_list("pk", flat=True).first()
    )
    context = {
        "parent": parent,
        "target": target,
        "target_is_gated": reader.hides(target),
        "target_page": page_for_comment(parent),
        "page_reader": page_reader,
        "comments": reply_page(parent=parent, page=request.GET.get("page")),
        "comment_form": comment_form_for(request, target, page_reader, default_reply=parent),
    }
    return render(request, "comments/comment_replies.html", context)
