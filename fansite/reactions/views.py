from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fansite.comments.models import Comment
from fansite.spoilers.levels import gate_label
from fansite.spoilers.readers import reader_for
from fansite.users.standing import ensure_can_post
from fansite.web.pagecache import form_token
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from . import state
from .bar import FULL, Bars, total_text
from .models import Reaction, ReactionKind
from .services import set_reaction

REACTORS_PER_PAGE = 100
# Sent by static/js/site.js: answer with the bar alone, to replace in place.
FRAGMENT_HEADER = "X-Fansite-Fragment"


def _comment(pk):
    return get_object_or_404(Comment.objects.select_related("thread", "article"), pk=pk)


# What a reaction needs of its comment (the rules and the totals), without its
# text or its thread's and article's: reacting is the most frequent write.
_FIELDS_TO_REACT = (
    "author_id",
    "thread_id",
    "article_id",
    "created_at",
    "is_removed",
    "is_hidden",
    "thread__is_hidden",
    "article__status",
    "article__published_at",
)


def _kind(slug):
    """The kind a button names: from the cached enabled kinds (no query), or the
    database for a disabled one (refused, with the reason, by the service)."""
    for kind in state.enabled_kinds():
        if kind.slug == slug:
            return ReactionKind(pk=kind.pk, slug=kind.slug, is_enabled=True)
    return ReactionKind.objects.filter(slug=slug).first()


def _safe_next(request, comment):
    """Where to go back to: the form's or the link's ``next`` when it is on this
    site, else the comment's permalink."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return comment.get_absolute_url()


@require_http_methods(["GET", "POST"])
def react(request, pk):
    """Give or take back one reaction (POST ``react=<kind>:on|off``). Without
    JavaScript the member goes back to the comment on the page they came from;
    site.js asks for the new bar instead and puts it in place. GET is the page
    behind a comment's "React" link without JavaScript: every kind's button."""
    if request.method == "POST":
        comment = get_object_or_404(
            Comment.objects.select_related("thread", "article").only(*_FIELDS_TO_REACT), pk=pk
        )
        return _react(request, comment)
    comment = _comment(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not comment.is_shown:
        raise Http404
    refusal = None
    try:
        ensure_can_post(request.user)
        if comment.author_id == request.user.pk:
            refusal = _("You can't react to your own comment.")
    except Refused as refused:
        refusal = refused.message
    context = {"comment": comment, "refusal": refusal, "back": _safe_next(request, comment)}
    if refusal is None:
        kinds, counts, given = state.comment_state(request.user, comment.pk)
        bars = Bars(kinds, can_react=True, token=form_token(request), path=context["back"])
        context["form"] = mark_safe(bars.bar(comment.pk, FULL, counts, given, every_kind=True))
    return render(request, "reactions/react.html", context)


def _react(request, comment):
    wants_fragment = request.headers.get(FRAGMENT_HEADER) == "reactions"
    if not request.user.is_authenticated:
        if wants_fragment:
            return HttpResponse(_("Log in to react."), status=403, content_type="text/plain")
        return redirect_to_login(comment.get_absolute_url())
    slug, _sep, switch = request.POST.get("react", "").partition(":")
    kind = _kind(slug)
    if kind is None or switch not in ("on", "off"):
        return HttpResponse(_("Unknown reaction."), status=400, content_type="text/plain")
    try:
        check_rate_limit(request, "react")
        set_reaction(member=request.user, comment=comment, kind=kind, on=switch == "on")
    except Refused as refused:
        response = HttpResponse(refused.message, status=refused.status, content_type="text/plain")
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        if wants_fragment:
            return response
        return render(
            request,
            "reactions/refused.html",
            {"comment": comment, "message": refused.message},
            status=refused.status,
        )
    if not wants_fragment:
        # No success message: a page with one is never served from the page cache.
        return redirect(_safe_next(request, comment))
    kinds, counts, given = state.comment_state(request.user, comment.pk)
    page = request.POST.get("next", "").partition("#")[0]
    bars = Bars(kinds, can_react=True, token=form_token(request), path=page)
    return HttpResponse(
        bars.bar(comment.pk, FULL, counts, given), content_type="text/html; charset=utf-8"
    )


def reactors(request, pk):
    """Who reacted to a comment, by kind. Nothing of the comment's text is on the
    page; when it is gated for the reader, only the total is."""
    comment = _comment(pk)
    if not comment.is_shown:
        raise Http404
    target = comment.target
    reader = reader_for(request)
    page_reader = reader.for_page(target)
    context = {
        "comment": comment,
        "target_title": gate_label(target) if reader.hides(target) else target.title,
    }
    if page_reader.hides(comment):
        context["gate"] = gate_label(comment)
        context["total"] = total_text(comment.reaction_total)
        return render(request, "reactions/reactors.html", context)
    rows = (
        Reaction.objects.filter(comment=comment, kind__is_enabled=True)
        .select_related("member", "kind")
        .order_by("kind__position", "kind_id", "-created_at", "-pk")
    )
    paginator = Paginator(rows, REACTORS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context["page_obj"] = page_obj
    context["page_range"] = paginator.get_elided_page_range(page_obj.number, on_each_side=2)
    context["total"] = total_text(paginator.count)
    return render(request, "reactions/reactors.html", context)
