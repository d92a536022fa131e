"""The report form's text rules (the pages are in test_reporting.py)."""

from fansite.moderation.forms import ReportForm


def test_other_with_only_invisible_details_is_refused():
    form = ReportForm({"reason": "other", "details": "\u200b\n\u2060 \ufeff"})

    assert not form.is_valid()
    assert "tell moderators what is wrong" in form.errors["details"][0]


def test_control_characters_are_removed_from_report_details():
    form = ReportForm(
        {"reason": "spoiler", "details": "\x1b[31mEpisode 9\x1b[0m\r\nin\x85the title"}
    )

    assert form.is_valid()
    assert form.cleaned_data["details"] == "Episode 9\nin\nthe title"
