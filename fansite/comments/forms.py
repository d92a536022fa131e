"""Writing comments, and starting a thread with its opening post (a comment too)."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fansite.episodes.catalogue import episode_positions
from fansite.threads.models import Thread
from fansite.users.standing import PostingRefused
from fansite.web.text import MultilineField, SingleLineField

from .models import BODY_MAX_LENGTH, Comment
from .services import ensure_can_comment

QUOTE_PARAM = "quote"
REPLY_PARAM = "reply_to"


def episode_choices():
    """The "spoils up to" options, read when the form is rendered or validated."""
    return [
        ("", _("Nothing beyond this page's episode")),
        *(
            (position, _("Episode %(number)s") % {"number": position})
            for position in episode_positions()
        ),
    ]


class CommentForm(forms.Form):
    """Writing or editing a comment.

    Beyond its fields, a form given to the comments partial may carry:
    ``refusal``       why the member cannot post here (the form is not shown);
    ``notice``        a note about the request, e.g. a refused quote;
    ``reply_target``  the comment being answered (author loaded), if any.
    """

    body = MultilineField(
        label=_("Your comment"),
        max_length=BODY_MAX_LENGTH,
        strip=False,
        error_messages={"required": _("Write something before posting.")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Markdown. Hide a spoiler inline with >!like this!<, or a whole passage "
            "between a line ':::spoiler' and a line ':::'."
        ),
    )
    spoils_episode = forms.TypedChoiceField(
        label=_("Spoils up to"),
        choices=episode_choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Choose a later episode if your comment spoils it: readers who have not "
            "watched that far will see a warning instead of your text."
        ),
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    refusal = None
    notice = None
    reply_target = None


def _param_pk(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 19 else None


def quote_markdown(comment):
    """The Markdown that quotes ``comment``: its source as a block quote, under a
    line naming its author."""
    name = comment.author.public_name if comment.author_id else gettext("[deleted member]")
    heading = gettext("@%(name)s wrote:") % {"name": name}
    lines = [f"> {line}".rstrip() for line in comment.body.splitlines()]
    return "\n".join([f"> {heading}", ">", *lines]) + "\n\n"


def comment_form_for(request, target, reader, default_reply=None):
    """The new-comment form for ``target``'s page, honouring ``?reply_to=<pk>`` and
    ``?quote=<pk>``. ``reader`` is the page's Reader (``reader.for_page(target)``):
    text it would hide is never copied into the form. ``default_reply`` (a comment)
    is answered when the address names none: the replies page answers its comment."""
    form = CommentForm()
    try:
        ensure_can_comment(request.user, target)
    except PostingRefused as refused:
        form.refusal = refused.message
        return form

    quote_pk = _param_pk(request, QUOTE_PARAM)
    reply_pk = quote_pk or _param_pk(request, REPLY_PARAM)
    if reply_pk is None and default_reply is not None and default_reply.is_visible:
        form.reply_target = default_reply
        form.is_default_reply = True
        form.initial = {"parent": default_reply.pk}
        return form
    if reply_pk is None:
        return form
    answered = Comment.objects.for_target(target).select_related("author").filter(pk=reply_pk)
    answered = answered.first()
    if answered is None or not answered.is_visible:
        form.notice = gettext("That comment is no longer available; you can still post below.")
        return form
    if quote_pk is not None and reader.hides(answered):
        form.notice = gettext(
            "That comment spoils episode %(number)s, which you have not watched: show it "
            "first if you want to quote it."
        ) % {"number": answered.spoiler_level}
        return form
    form.reply_target = answered
    form.initial = {"parent": answered.pk}
    if quote_pk is not None:
        form.initial["body"] = quote_markdown(answered)
        default_level = target.spoiler_level
        if answered.spoiler_level is not None and (
            default_level is None or answered.spoiler_level > default_level
        ):
            # A quote spoils what the quoted comment spoils.
            form.initial["spoils_episode"] = answered.spoiler_level
    return form


# --- Starting a thread ------------------------------------------------------


def body_help():
    """The opening post's help text, as HTML (the field partial renders it unescaped)."""
    return format_html(
        gettext(
            "Markdown. Hide a spoiler inside a sentence with {inline}, or a whole passage "
            "between a line {block_open} and a line {block_close}."
        ),
        inline=format_html("<code>{}</code>", ">!like this!<"),
        block_open=format_html("<code>{}</code>", ":::spoiler"),
        block_close=format_html("<code>{}</code>", ":::"),
    )


class ThreadForm(forms.Form):
    """A new thread: its title, its opening post and how far it spoils."""

    title = SingleLineField(
        label=_("Title"),
        max_length=Thread._meta.get_field("title").max_length,
        help_text=_("Readers see the title before they open the thread."),
    )
    body = MultilineField(
        label=_("Opening post"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        strip=False,
        error_messages={"required": _("Write the opening post.")},
    )
    spoils_episode = forms.TypedChoiceField(
        label=_("Spoils up to episode"),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, board, **kwargs):
        super().__init__(*args, **kwargs)
        self.board = board
        self.fields["body"].help_text = body_help()
        field = self.fields["spoils_episode"]
        level = board.spoiler_level
        episodes = episode_positions()
        if level is None:
            field.choices = [("", _("No spoilers")), *((n, str(n)) for n in episodes)]
            field.help_text = _(
                "The last episode your title and post give away. Readers who have not "
                "watched it see a labelled placeholder instead."
            )
        else:
            # Authors may raise the level above the board's episode, never lower it.
            field.choices = [(n, str(n)) for n in episodes if n >= level]
            field.required = True
            field.initial = level
            field.help_text = _(
                "This board allows spoilers up to episode %(number)s. Choose a later "
                "episode if your title or post gives away more."
            ) % {"number": level}
