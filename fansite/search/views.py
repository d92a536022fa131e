from django.shortcuts import render

from fansite.spoilers.readers import reader_for

from .forms import SearchForm
from .results import result
from .selectors import search


def search_page(request):
    """``/search/?q=…``: results the reader may see, filters and paging in the URL."""
    form = SearchForm(request.GET or None)
    context = {"form": form, "nul_dropped": getattr(request, "nul_dropped", False)}
    if not (form.is_valid() and form.cleaned_data["q"]):
        return render(request, "search/search_page.html", context)
    data = form.cleaned_data
    reader = reader_for(request)
    filters = form.filters()
    found = search(
        data["q"],
        progress=reader.progress,
        include_spoilers=data["spoilers"],
        filters=filters,
        page=request.GET.get("page"),
    )
    context["search"] = found
    if found.page_obj is not None:
        page_obj = found.page_obj
        context.update(
            results=[result(d, reader, found.query.marks) for d in page_obj.object_list],
            page_obj=page_obj,
            page_range=page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            unknown_member=bool(data["who"]) and filters.author is None,
        )
    return render(request, "search/search_page.html", context)
