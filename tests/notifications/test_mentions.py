"""How ``@name`` renders in posts (fansite.web.markdown with the members' resolver)."""

import pytest

from fansite.comments.models import render_body
from fansite.users.standing import contains_link
from fansite.web.markdown import render_markdown
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def members(db):
    UserFactory(username="Nam-ra")
    UserFactory(username="su.hyeok")


def test_a_member_is_linked_whatever_the_case():
    html = render_body("Thanks @nam-ra and @NAM-RA")

    assert html.count('<a href="/members/Nam-ra/" class="mention"') == 2
    assert ">@nam-ra</a>" in html
    assert ">@NAM-RA</a>" in html


def test_sentence_punctuation_is_not_part_of_the_name():
    html = render_body("Ask @su.hyeok. Or @nam-ra-")

    assert (
        '<a href="/members/su.hyeok/" class="mention" rel="nofollow ugc noopener">@su.hyeok</a>.'
        in html
    )
    assert ">@nam-ra</a>-" in html


def test_addresses_and_unknown_names_stay_text():
    html = render_body("Mail me at fan@nam-ra.com, or @ghost, or https://x.test/@nam-ra")

    assert 'class="mention"' not in html
    assert "@ghost" in html


def test_mentions_in_spoilers_stay_inside_them():
    html = render_body(">!@nam-ra dies!<")

    assert '<span class="spoiler__content"><a href="/members/Nam-ra/" class="mention"' in html


def test_only_posts_link_mentions_and_they_are_not_links_for_new_members():
    assert 'class="mention"' not in render_markdown("@nam-ra")
    assert 'class="mention"' not in render_markdown("@nam-ra", trusted=True, mentions=True)
    assert not contains_link("Hi @nam-ra")


def test_the_sanitiser_keeps_only_its_own_mention_class():
    html = render_body('<a class="mention" href="/members/x/">@x</a>')

    assert "&lt;a" in html  # raw HTML is text, as always
