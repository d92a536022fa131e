from django import forms
from django.utils.translation import gettext_lazy as _

from fansite.threads.models import Board

from .terms import MAX_QUERY_CHARS


def _where_choices():
    boards = [(board.slug, board.title) for board in Board.objects.all()]
    return [("", _("Everywhere")), ("articles", _("Articles")), *boards]


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
        # Once per form: a callable would be asked again on every use.
        self.fields["where"].choices = _where_choices()

    def clean_q(self):
        # Longer queries are cut by the parser, which says so.
        return self.cleaned_data["q"][: MAX_QUERY_CHARS * 2]
