from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fansite.episodes.catalogue import episode_positions

from .models import BODY_MAX_LENGTH, Comment
from .services import PostingRefused, ensure_can_post

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

    body = forms.CharField(
        label=_("Your comment"),
        max_length=BODY_MAX_LENGTH,
        strip=False,
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

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before posting."), code="required")
        return body


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
        ensure_can_post(request.user, target)
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
