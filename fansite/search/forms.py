from types import SimpleNamespace

from django import forms
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fansite.threads.models import Board
from fansite.web.localcopy import LocalCopy

from .selectors import WHEN, Filters
from .terms import MAX_QUERY_CHARS

ARTICLES = "articles"
# What the "What" choices search for.
KINDS = {
    "threads": ("thread",),
    "comments": ("comment",),
    "articles": ("article",),
    "members": ("member",),
}

# The boards for "Where", as (pk, slug, title): read on every search page.
BOARDS = LocalCopy(
    "search:boards", lambda: list(Board.objects.values_list("pk", "slug", "title")), 60
)
post_save.connect(BOARDS.forget, sender=Board, dispatch_uid="search-boards-saved")
post_delete.connect(BOARDS.forget, sender=Board, dispatch_uid="search-boards-deleted")


class SearchForm(forms.Form):
    """Every field optional and forgiving: a search never fails on its input."""

    q = forms.CharField(label=_("Search"), required=False, max_length=10_000, strip=True)
    what = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("threads", _("Threads")),
            ("comments", _("Comments")),
            ("articles", _("Articles")),
            ("members", _("Members")),
        ],
    )
    where = forms.ChoiceField(label=_("Where"), required=False)
    who = forms.CharField(label=_("By member"), required=False, max_length=150)
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("day", _("Past day")),
            ("week", _("Past week")),
            ("month", _("Past month")),
            ("year", _("Past year")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("relevance", _("Best match")), ("newest", _("Newest"))],
    )
    spoilers = forms.BooleanField(
        label=_("Include spoilers for later episodes (shown as gates)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        boards = BOARDS.get()
        self.board_pks = {slug: pk for pk, slug, _title in boards}
        self.fields["where"].choices = [
            ("", _("Everywhere")),
            (ARTICLES, _("Articles")),
            *((slug, title) for _pk, slug, title in boards),
        ]

    def filter_fields(self):
        """The filters as the page writes them out: each one's name, label, value,
        ``<option>``s (escaped here: Django's widget templates, or a template loop
        over the options, cost more than the results) and errors."""
        fields = []
        for name in ("what", "where", "who", "when", "sort"):
            bound = self[name]
            current = bound.value() or ""
            choices = [] if name == "who" else bound.field.choices
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, mark_safe(" selected") if value == current else "", label)
                    for value, label in choices
                ),
            )
            fields.append(
                SimpleNamespace(
                    name=name,
                    label=bound.label,
                    current=current,
                    options=options,
                    text=name == "who",
                    errors=bound.errors,
                )
            )
        return fields

    def clean_q(self):
        # Longer queries are cut by the parser, which says so.
        return self.cleaned_data["q"][: MAX_QUERY_CHARS * 2]

    def filters(self):
        """The valid form's filters (fansite.search.selectors.Filters); ``author``
        is None when no member has the username given."""
        data = self.cleaned_data
        author = None
        if data["who"]:
            author = get_user_model().objects.filter(username__iexact=data["who"]).first()
        return Filters(
            kinds=KINDS.get(data["what"], ()),
            board=self.board_pks.get(data["where"]),
            articles_only=data["where"] == ARTICLES,
            author=author,
            within_days=WHEN.get(data["when"]),
            sort=data["sort"] or "relevance",
        )
