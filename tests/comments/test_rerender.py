"""``manage.py rerender_comments``: stored comment HTML after a renderer change."""

from io import StringIO

import pytest
from django.core.management import call_command

from fansite.comments.models import Comment, render_body
from fansite.web import pagecache

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_old_comments_get_their_pasted_addresses_linked(thread):
    pasted = CommentFactory(thread=thread, body="Clip: https://example.com/clip.")
    plain = CommentFactory(thread=thread, body="Nothing to link.")
    # As stored before bare addresses became links.
    Comment.objects.filter(pk=pasted.pk).update(
        body_html="<p>Clip: https://example.com/clip.</p>\n"
    )
    plain_html = Comment.objects.get(pk=plain.pk).body_html
    site_before = pagecache.generation(pagecache.SITE)
    out = StringIO()

    call_command("rerender_comments", stdout=out)

    assert '<a href="https://example.com/clip"' in Comment.objects.get(pk=pasted.pk).body_html
    assert Comment.objects.get(pk=plain.pk).body_html == plain_html
    assert "1 changed" in out.getvalue()
    assert pagecache.generation(pagecache.SITE) != site_before


def test_quotes_of_spoilers_are_left_for_their_next_edit(thread):
    source = CommentFactory(thread=thread, body="Roof. >!Old secret.!<")
    quote = CommentFactory(
        thread=thread,
        body=f"> [@a wrote](/comments/{source.pk}/):\n>\n> >!⟦spoiler 1 of comment {source.pk}⟧!<",
    )
    stored = Comment.objects.get(pk=quote.pk).body_html
    assert "Old secret." in stored
    # The source edited since to spoil more: a re-render must not carry that into the quote.
    edited = "Roof. >!A later episode's secret.!<"
    Comment.objects.filter(pk=source.pk).update(
        body=edited, body_html=render_body(edited), spoils_episode_id=9
    )
    out = StringIO()

    call_command("rerender_comments", stdout=out)

    assert Comment.objects.get(pk=quote.pk).body_html == stored
    assert "1 quoting spoilers left" in out.getvalue()
