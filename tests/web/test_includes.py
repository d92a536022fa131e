"""{% extends %} and {% include %} finding their templates once
(fansite/web/templatetags/includes.py): the same output as Django's own tags,
the top template's blocks listed once, a named include looked up once, and an
edited template still picked up where templates are not cached."""

import pytest
from django.template import Context, Engine
from django.template.loader import get_template

from fansite.web.templatetags.includes import Extends, root_blocks

TEMPLATES = {
    "base.html": (
        "<title>{% block title %}Base{% endblock %}</title>"
        "{% block body %}<p>base body</p>{% block inner %}base inner{% endblock %}{% endblock %}"
        "{% block foot %}foot{% endblock %}"
    ),
    "middle.html": (
        '{% extends "base.html" %}{% block title %}Middle · {{ block.super }}{% endblock %}'
        "{% block inner %}middle inner {{ block.super }}{% endblock %}"
    ),
    "page.html": (
        '{% extends "middle.html" %}{% block title %}{{ name }} · {{ block.super }}{% endblock %}'
        '{% block foot %}{% for n in numbers %}{% include "row.html" %}{% endfor %}'
        "{% include which %}{% endblock %}"
    ),
    "direct.html": '{% extends "base.html" %}{% block body %}direct{% endblock %}',
    "row.html": "<i>{{ n }}</i>",
    "other.html": "<b>other {{ name }}</b>",
    "relative/page.html": '{% include "./part.html" %}',
    "relative/part.html": "relative part",
}
BUILTINS = ["fansite.web.templatetags.includes"]


def engine(templates, builtins=(), cached=True):
    loader = ("django.template.loaders.locmem.Loader", templates)
    if cached:
        loader = ("django.template.loaders.cached.Loader", [loader])
    return Engine(loaders=[loader], builtins=list(builtins))


CONTEXTS = [
    {"name": "Onjo", "numbers": [1, 2, 3], "which": "row.html", "n": 0},
    {"name": "Cheong-san", "numbers": [], "which": "other.html"},
]


@pytest.mark.parametrize("name", ["page.html", "direct.html", "middle.html", "relative/page.html"])
def test_pages_are_what_djangos_own_tags_draw(name):
    ours, djangos = engine(TEMPLATES, BUILTINS), engine(TEMPLATES)
    for values in CONTEXTS * 2:  # twice: the second render uses what the first found
        expected = djangos.get_template(name).render(Context(values))
        assert ours.get_template(name).render(Context(values)) == expected


def test_the_top_templates_blocks_are_listed_once(monkeypatch):
    ours = engine(TEMPLATES, BUILTINS)
    base = ours.get_template("base.html")
    listed = []
    original = type(base.nodelist).get_nodes_by_type

    def counting(nodelist, kind):
        if nodelist is base.nodelist:
            listed.append(kind)
        return original(nodelist, kind)

    monkeypatch.setattr(type(base.nodelist), "get_nodes_by_type", counting)
    for _ in range(3):
        ours.get_template("direct.html").render(Context())
    assert len(listed) == 1
    assert set(root_blocks(base)) == {"title", "body", "inner", "foot"}
    # A template that extends another is not the top of a chain.
    assert root_blocks(ours.get_template("middle.html")) == {}


def test_a_named_include_is_looked_up_once_a_variable_one_every_time(monkeypatch):
    ours = engine(TEMPLATES, BUILTINS)
    page = ours.get_template("page.html")
    looked_up = []
    original = ours.select_template
    monkeypatch.setattr(
        ours, "select_template", lambda names: looked_up.append(tuple(names)) or original(names)
    )
    page.render(Context(CONTEXTS[0]))
    page.render(Context(CONTEXTS[0]))
    # {% include "row.html" %} once; {% include which %} (row.html here too) on
    # each render, following the variable.
    assert looked_up.count(("row.html",)) == 3
    assert "<b>other Cheong-san</b>" in page.render(Context(CONTEXTS[1]))
    assert looked_up[-1] == ("other.html",)


def test_an_edited_template_is_picked_up_when_templates_are_not_cached():
    templates = dict(TEMPLATES)
    ours = engine(templates, BUILTINS, cached=False)
    assert ours.get_template("page.html").render(Context(CONTEXTS[0])).count("<i>") == 4
    templates["row.html"] = "<u>{{ n }}</u>"
    templates["base.html"] = "{% block title %}New base{% endblock %}{% block foot %}{% endblock %}"
    rendered = ours.get_template("page.html").render(Context(CONTEXTS[0]))
    assert "<u>1</u>" in rendered
    assert "<i>" not in rendered
    assert rendered.startswith("Onjo · Middle · New base")


def test_the_sites_templates_use_them():
    page = get_template("articles/article_list.html").template
    assert isinstance(page.nodelist[0], Extends)
