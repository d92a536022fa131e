"""The values of a drawn part's key ({% drawn "name" value … %}) are what Django's
template language resolves them to, whichever way they are found
(fansite/web/templatetags/drawn.py ``quick``): the short way for attributes,
mappings and lazy objects, Django's own for everything else."""

import pytest
from django.core.paginator import Paginator
from django.template import Context, Engine
from django.template.base import FilterExpression, Parser
from django.utils.functional import SimpleLazyObject

from fansite.users.templatetags.zones import chosen_time_zone
from fansite.web.templatetags.drawn import quick


class Reader:
    progress = 4

    def __init__(self):
        self.calls = 0

    def full_path(self):
        self.calls += 1
        return "/threads/1/?page=2"

    def needs_argument(self, value):
        return value

    def broken(self):
        raise TypeError("inside the method")

    def delete(self):
        raise AssertionError("a method altering data is never called")

    delete.alters_data = True

    def kept(self):
        return "called"

    kept.do_not_call_in_templates = True

    @property
    def failing(self):
        raise AttributeError("inside a property")


class Silent(Exception):
    silent_variable_failure = True


class Quiet:
    def fails(self):
        raise Silent


def context():
    reader = Reader()
    values = Context(
        {
            "reader": reader,
            "lazy": SimpleLazyObject(Reader),
            "lazy_mapping": SimpleLazyObject(lambda: {"progress": 7}),
            "mapping": {"progress": 9, "nested": {"deep": "yes"}},
            "asks": lambda: True,
            "page": Paginator(range(30), 10).page(2),
            "quiet": Quiet(),
            "nothing": None,
        }
    )
    values.template = Engine().from_string("")  # as while a template renders
    return values


# Values Django's lookup finds the way ``quick`` takes: taken the short way.
SHORT_WAY = [
    "reader.progress",
    "reader.full_path",
    "reader.kept",
    "lazy.progress",
    "lazy_mapping.progress",
    "mapping.progress",
    "mapping.nested.deep",
    "asks",
]
# Values left to Django: a subscriptable object, a method it would not call or
# that needs an argument, missing names, a silent failure, a filter, literals.
DJANGOS_WAY = [
    "page.number",
    "mapping.items",
    "reader.needs_argument",
    "reader.delete",
    "reader.missing",
    "missing.anything",
    "nothing.progress",
    "quiet.fails",
    "mapping.progress|add:1",
    '"literal"',
    "3",
]


def _plain(value):
    return getattr(value, "__func__", value)


def expression(text):
    engine = Engine()
    return FilterExpression(text, Parser([], libraries={}, builtins=engine.template_builtins))


@pytest.mark.parametrize("text", SHORT_WAY + DJANGOS_WAY)
def test_each_value_is_djangos(text, monkeypatch):
    found = expression(text)
    slow = []
    djangos = FilterExpression.resolve
    monkeypatch.setattr(
        FilterExpression, "resolve", lambda *args: slow.append(text) or djangos(*args)
    )
    value = quick(found)
    expected = djangos(found, context())
    # (A method left uncalled is bound to each context's own reader.)
    assert _plain(value(context())) == _plain(expected)
    # The short way is taken where it can be, and only there.
    assert (not slow) == (text in SHORT_WAY)


def test_errors_are_djangos():
    for text in ("reader.failing", "reader.broken"):
        found = expression(text)
        with pytest.raises((AttributeError, TypeError)) as djangos:
            found.resolve(context())
        with pytest.raises(type(djangos.value), match=str(djangos.value)):
            quick(found)(context())


def test_a_method_is_called_once():
    values = context()
    assert quick(expression("reader.full_path"))(values) == "/threads/1/?page=2"
    assert values["reader"].calls == 1


def test_a_lazy_object_is_set_up_as_djangos_lookup_would():
    values = context()
    assert quick(expression("lazy.progress"))(values) == 4
    assert values["lazy"]._wrapped.progress == 4


class Member:
    is_authenticated = True

    def __init__(self, zone):
        self.time_zone = zone


class Visitor:
    is_authenticated = False


@pytest.mark.parametrize(
    ("user", "expected"),
    [(Member("Asia/Seoul"), "Asia/Seoul"), (Member(""), ""), (Visitor(), ""), ("", "")],
)
def test_the_footers_time_zone_value(user, expected):
    assert chosen_time_zone(user) == expected
