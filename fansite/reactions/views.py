from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fansite.comments.models import Comment
from fansite.spoilers.levels import gate_label
from fansite.spoilers.readers import reader_for
from fansite.web.pagecache import form_token
from fansite.web.ratelimits import check_rate_limit
from fansite.web.refusals import Refused

from . import state
from .bar import FULL, bar_html, total_text
from .models import Reaction, ReactionKind
from .services import set_reaction

REACTORS_PER_PAGE = 100
# Sent by static/js/site.js: answer with the bar alone, to replace in place.
FRAGMENT_HEADER = "X-Fansite-Fragment"


def _comment(pk):
    return get_object_or_404(Comment.objects.select_related("thread", "article"), pk=pk)


def _back(request, comment):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = comment.get_absolute_url()
    return redirect(target)


@require_POST
def react(request, pk):
    """Give or take back one reaction (``react=<kind>:on|off``). Without JavaScript
    the member goes back to the comment on the page they came from; site.js asks
    for the new bar instead and puts it in place."""
    comment = _comment(pk)
    wants_fragment = request.headers.get(FRAGMENT_HEADER) == "reactions"
    if not request.user.is_authenticated:
        if wants_fragment:
            return HttpResponse("Log in to react.", status=403, content_type="text/plain")
        return redirect_to_login(comment.get_absolute_url())
    slug, _sep, switch = request.POST.get("react", "").partition(":")
    kind = ReactionKind.objects.filter(slug=slug).first()
    if kind is None or switch not in ("on", "off"):
        return HttpResponse("Unknown reaction.", status=400, content_type="text/plain")
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
        return _back(request, comment)
    kinds, counts, given = state.comment_state(request.user, comment.pk)
    html = bar_html(
        comment_pk=comment.pk,
        mode=FULL,
        kinds=kinds,
        counts=counts,
        given=given,
        can_react=True,
        token=form_token(request),
        next_url=request.POST.get("next", ""),
    )
    return HttpResponse(html, content_type="text/html; charset=utf-8")


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
