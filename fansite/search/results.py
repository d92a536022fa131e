"""Search results as a page shows them, each passed through the spoiler gate
(fansite.spoilers.readers.Reader): a gated result, shown only when the reader asked
to include spoilers, is its gate's label and where it is, without a title, a
snippet or a highlighted word."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fansite.spoilers.levels import gate_label

from .models import Document
from .terms import snippet

Kind = Document.Kind


@dataclass
class Result:
    kind: str
    title: str
    url: str
    snippet: str = ""
    where: str = ""
    author: object = None
    created_at: object = None
    gate: str = ""  # "Spoiler for episode 9" when gated for the reader


def _gated(reader, *items):
    """The first of ``items`` the reader may not see, or None."""
    return next((item for item in items if item is not None and reader.spoils(item)), None)


def result(document, reader, marks) -> Result:
    kind = document.kind
    row = Result(
        kind=Document.Kind(kind).label,
        title=document.title,
        url="",
        author=document.author,
        created_at=document.created_at,
    )
    if kind == Kind.COMMENT:
        comment = document.comment
        target = comment.target
        row.url = comment.get_absolute_url()
        row.title = _("Comment in “%(title)s”") % {"title": target.title}
        row.where = comment.thread.board.title if comment.thread else _("Articles")
        gated = _gated(reader, target, comment)
    elif kind == Kind.THREAD:
        row.url = document.thread.get_absolute_url()
        row.where = document.thread.board.title
        gated = _gated(reader, document.thread)
    elif kind == Kind.ARTICLE:
        row.url = document.article.get_absolute_url()
        row.where = _("Articles")
        gated = _gated(reader, document.article)
    else:
        thing = document.board or document.episode or document.member
        row.url = thing.get_absolute_url()
        gated = None
    if gated is not None:
        row.gate = gate_label(gated)
        row.title = row.gate
        return row
    row.snippet = snippet(document.text, marks) if document.text else ""
    return row
