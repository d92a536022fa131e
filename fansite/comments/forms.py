"""Writing comments, and starting a thread with its opening post (a comment too)."""

from dataclasses import dataclass

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fansite.episodes.catalogue import episode_name, episode_titles
from fansite.spoilers.levels import NO_SPOILERS, resolve_spoiler_level
from fansite.threads.models import Thread
from fansite.users.standing import PostingRefused
from fansite.web.markdown import (
    plain_text,
    quote_spoilers_by_reference,
    spoiler_reference_sources,
)
from fansite.web.text import MultilineField, SingleLineField

from .models import BODY_MAX_LENGTH, Comment
from .services import ensure_can_comment, quote_floor

QUOTE_PARAM = "quote"
REPLY_PARAM = "reply_to"
# The compose forms' Preview button: a POST carrying it is answered with a preview of
# the text and the form again, and writes nothing.
PREVIEW_PARAM = "preview"


def wants_preview(request):
    return PREVIEW_PARAM in request.POST


def episode_choices(*, above=None):
    """One choice per episode after ``above`` (every episode when None), labelled with
    its title, read when the form is rendered or validated."""
    return [
        (position, episode_name(position, title))
        for position, title in episode_titles()
        if above is None or position > above
    ]


def comment_level_choices():
    return [("", _("Nothing beyond this page's episode")), *episode_choices()]


def nothing_beyond_label(target):
    """The "spoils up to" choice that adds nothing to the page's own level."""
    if isinstance(target, Thread):
        text = gettext("Nothing beyond this thread (episode %(number)s)")
    else:
        text = gettext("Nothing beyond this article (episode %(number)s)")
    return text % {"number": target.spoiler_level}


def quote_floor_help(level):
    return gettext(
        "Your comment quotes a comment that spoils episode %(number)s, so it spoils at "
        "least up to episode %(number)s, whatever you choose here. Choose a later episode "
        "if it gives away more."
    ) % {"number": level}


def quoted_spoilers_help():
    return gettext(
        "Markdown. Hide a spoiler inline with >!like this!<, or a whole passage between a "
        "line ':::spoiler' and a line ':::'. Quoted spoilers show here as ⟦spoiler 1 of "
        "comment 34⟧, so you are not spoiled while you write: leave them as they are, and "
        "your comment shows the quoted text there, hidden until each reader opens it."
    )


class ComposeState:
    """What the comments partial asks of the compose box besides its fields:
    ``refusal``       why the member cannot post here (the form is not shown);
    ``notice``        a note about the request, e.g. a refused quote;
    ``reply_target``  the comment being answered (author loaded), if any;
    ``is_default_reply`` whether that is the page's own comment, not one named;
    ``is_placed``     set while rendering when the form is shown right under
                      ``reply_target`` rather than at the end of the conversation.
    """

    refusal = None
    notice = None
    reply_target = None
    is_default_reply = False
    is_placed = False


class CommentForm(ComposeState, forms.Form):
    """Writing or editing a comment (and, given to the comments partial, what
    ``ComposeState`` says)."""

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
        choices=comment_level_choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Choose a later episode if your comment spoils it: readers who have not "
            "watched that far will see a warning instead of your text."
        ),
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, target=None, minimum=None, **kwargs):
        """``target`` (the thread or article commented on) narrows the "spoils up to"
        menu to the levels that mean something there; ``minimum`` (an edited
        comment's level) narrows it further: an edit never lowers a comment."""
        super().__init__(*args, **kwargs)
        field = self.fields["spoils_episode"]
        if target is not None:
            # Only the menu changes: validation still takes any episode and the
            # service raises a lower one to the page's level, so a form opened
            # before a thread moved to a later board still posts.
            level = max((n for n in (target.spoiler_level, minimum) if n), default=None)
            if level is None:
                field.widget.choices = [("", _("No spoilers")), *episode_choices()]
            else:
                # The lowest level allowed here, preselected when nothing is chosen,
                # then later ones. Below the page's level a choice would mean nothing
                # (the service raises it), so the menu starts there and says so.
                choices = episode_choices(above=level - 1)
                if level == target.spoiler_level:
                    choices[0] = (level, nothing_beyond_label(target))
                field.widget.choices = choices
            if minimum and minimum > (target.spoiler_level or 0):
                field.help_text = gettext(
                    "An edit cannot lower a comment below the episode it already spoils "
                    "(episode %(number)s): readers before it were kept from it."
                ) % {"number": minimum}
        body = self.data.get(self.add_prefix("body")) if self.is_bound else self.initial.get("body")
        if isinstance(body, str) and spoiler_reference_sources(body):
            self.fields["body"].help_text = quoted_spoilers_help()
        floor = quote_floor(body) if isinstance(body, str) else None
        if floor is not None and (target is None or floor > (target.spoiler_level or 0)):
            field.help_text = quote_floor_help(floor)


def _param_pk(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 19 else None


# Characters that would turn an author's name into Markdown in a quote's heading.
_MARKDOWN_IN_NAMES = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>!~|"})


def quote_markdown(comment):
    """The Markdown that quotes ``comment``: its source as a block quote, under a
    heading naming its author and linking its permalink. The link is how the server
    knows what a comment quotes (``services.quote_floor``): a quote spoils at least
    what its source spoils.

    The quoting member may never have opened the source's spoilers, so their content
    is not copied: each spoiler keeps its markup around a reference,
    ``>!⟦spoiler 1 of comment 34⟧!<``, which the post's rendering replaces by the
    source's text, still hidden (``models._quoted_spoilers``). A source whose spoilers
    cannot be referred to exactly is quoted as plain text, spoilers as "[spoiler]"."""
    name = comment.author.public_name if comment.author_id else gettext("[deleted member]")
    wrote = gettext("@%(name)s wrote") % {"name": name.translate(_MARKDOWN_IN_NAMES)}
    heading = f"[{wrote}]({comment.get_absolute_url()}):"
    body = quote_spoilers_by_reference(comment.body, source=comment.pk)
    if body is None:
        body = plain_text(comment.body).translate(_MARKDOWN_IN_NAMES)
    lines = [f"> {line}".rstrip() for line in body.splitlines()]
    return "\n".join([f"> {heading}", ">", *lines]) + "\n\n"


def gated_quote_notice(comment):
    return gettext(
        "That comment spoils episode %(number)s, which you have not watched: show it "
        "first if you want to quote it."
    ) % {"number": comment.spoiler_level}


class Refused(ComposeState):
    """What a page has in place of the new-comment form where the reader may not
    post (a visitor, a banned member, a locked thread): why, and no fields, which
    such a page never shows. Building the form's fields cost every visitor's page
    about 0.15 ms."""

    is_bound = False

    def __init__(self, refusal):
        self.refusal = refusal


def comment_form_for(request, target, reader, default_reply=None):
    """The new-comment form for ``target``'s page, honouring ``?reply_to=<pk>`` and
    ``?quote=<pk>``. ``reader`` is the page's Reader (``reader.for_page(target)``):
    text it would hide is never copied into the form. ``default_reply`` (a comment)
    is answered when the address names none: the replies page answers its comment.
    Where the reader may not post, a ``Refused`` saying why."""
    try:
        ensure_can_comment(request.user, target)
    except PostingRefused as refused:
        return Refused(refused.message)
    form = CommentForm(target=target)

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
        form.notice = gated_quote_notice(answered)
        return form
    form.reply_target = answered
    form.initial = {"parent": answered.pk}
    if quote_pk is not None:
        quote = quote_for(target, answered)
        form.initial["body"] = quote.body
        if quote.body_help:
            form.fields["body"].help_text = quote.body_help
        if quote.level is not None:
            form.initial["spoils_episode"] = quote.level
            form.fields["spoils_episode"].help_text = quote.level_help
    return form


@dataclass(frozen=True)
class Quote:
    """What the compose box holds to quote a comment (``quote_for``).

    ``body``        the quote's Markdown (``quote_markdown``)
    ``body_help``   the text box's help when the quote holds spoiler references, or None
    ``level``       the "spoils up to" episode the quote needs when it is above the
                    page's level, or None
    ``level_help``  why, when ``level`` is set
    """

    body: str
    body_help: str | None = None
    level: int | None = None
    level_help: str | None = None


def quote_for(target, answered):
    """Quoting ``answered`` on ``target``'s page: the same for the ``?quote=`` form and
    the Quote action's endpoint (``views.comment_quote``). The caller has checked that
    the reader may see ``answered``: its visible text is copied (its spoilers only by
    reference)."""
    body = quote_markdown(answered)
    body_help = quoted_spoilers_help() if spoiler_reference_sources(body) else None
    level = resolve_spoiler_level(target, None, floor=answered.spoiler_level)
    if level == target.spoiler_level:
        return Quote(body=body, body_help=body_help)
    # A quote spoils what the quoted comment spoils; the server holds it there.
    return Quote(body=body, body_help=body_help, level=level, level_help=quote_floor_help(level))


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
        label=_("Spoils up to"),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, board, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.board = board
        self.fields["body"].help_text = body_help()
        field = self.fields["spoils_episode"]
        level = board.spoiler_level
        if level is None:
            # The board says nothing, so neither does the menu: it starts at how far
            # the author has watched (as the service does when no level is sent), and
            # "No spoilers" is a choice they make, not one they forget to change.
            field.choices = [(NO_SPOILERS, _("No spoilers")), *episode_choices()]
            field.initial = (
                resolve_spoiler_level(board, None, fallback=getattr(author, "watched_up_to", 0))
                or NO_SPOILERS
            )
            field.help_text = _(
                "The last episode your title and post give away, set to how far you have "
                "watched. Choose “No spoilers” if they give nothing away. Readers who have "
                "not watched that far see a labelled placeholder instead."
            )
        else:
            # Authors may raise the level above the board's episode, never lower it.
            field.choices = episode_choices(above=level - 1)
            field.required = True
            field.initial = level
            field.help_text = _(
                "This board allows spoilers up to episode %(number)s. Choose a later "
                "episode if your title or post gives away more."
            ) % {"number": level}


class ThreadEditForm(forms.Form):
    """The author corrects their thread: its title, and how far it spoils, which can
    only rise (readers below the current level were kept from the title)."""

    title = ThreadForm.base_fields["title"]
    spoils_episode = forms.TypedChoiceField(
        label=_("Spoils up to"),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, thread, **kwargs):
        initial = {"title": thread.title, "spoils_episode": thread.spoiler_level}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        field = self.fields["spoils_episode"]
        level = thread.spoiler_level
        if level is None:
            field.choices = [(NO_SPOILERS, _("No spoilers")), *episode_choices()]
            field.initial = NO_SPOILERS
            field.help_text = _(
                "Choose an episode if your title or opening post gives it away. You can raise "
                "the level later, not lower it."
            )
        else:
            # The current level and later ones: an author may raise it, never lower it.
            field.choices = episode_choices(above=level - 1)
            field.required = True
            field.help_text = gettext(
                "Your thread spoils up to episode %(number)s. Choose a later episode if it "
                "gives away more; it cannot go lower, since readers before it were kept from "
                "it. Comments in the thread that spoil less rise with it."
            ) % {"number": level}
