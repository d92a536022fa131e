"""The header's progress options: built once, still right for each reader."""

import pytest

from fansite.episodes.models import Episode
from fansite.spoilers.templatetags.progress_tags import progress_options

pytestmark = pytest.mark.django_db


def test_the_readers_episode_is_the_one_selected():
    html = str(progress_options(3))
    assert html.count(" selected") == 1
    assert '<option value="3" selected>Episode 3</option>' in html
    assert '<option value="0">Nothing yet</option>' in html
    assert str(progress_options(0)).count('<option value="0" selected>') == 1


def test_an_episode_title_shows_at_once():
    before = str(progress_options(3))
    episode = Episode.objects.get(position=5)
    episode.title = "Sirens & <rain>"
    episode.save()
    after = str(progress_options(3))
    assert after != before
    assert "Episode 5 — Sirens &amp; &lt;rain&gt;" in after
