from django.contrib.auth import get_user_model
from django.shortcuts import render

from fansite.spoilers.readers import reader_for
from fansite.threads.models import Board

from .forms import SearchForm
from .results import result
from .selectors import WHEN, Filters, search

KINDS = {
    "threads": ("thread",),
    "comments": ("comment",),
    "articles": ("article",),
    "members": ("member",),
}


def search_page(request):
    """``/search/?q=…``: results the reader may see, filters and paging in the URL."""
    form = SearchForm(request.GET or None)
    context = {"form": form, "nul_dropped": getattr(request, "nul_dropped", False)}
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        reader = reader_for(request)
        filters = Filters(
            kinds=KINDS.get(data["what"], ()),
            board=Board.objects.filter(slug=data["where"]).first()
            if data["where"] not in ("", "articles")
            else None,
            articles_only=data["where"] == "articles",
            author=get_user_model().objects.filter(username__iexact=data["who"]).first()
            if data["who"]
            else None,
            within_days=WHEN.get(data["when"]),
            sort=data["sort"] or "relevance",
        )
        found = search(
            data["q"],
            progress=reader.progress,
            include_spoilers=data["spoilers"],
            filters=filters,
            page=request.GET.get("page"),
        )
        context["search"] = found
        if found.page_obj is not None:
            marks = found.query.marks
            context["results"] = [result(d, reader, marks) for d in found.page_obj.object_list]
            context["page_obj"] = found.page_obj
            context["page_range"] = found.page_obj.paginator.get_elided_page_range(
                found.page_obj.number, on_each_side=2
            )
            context["unknown_member"] = bool(data["who"]) and filters.author is None
    return render(request, "search/search_page.html", context)
