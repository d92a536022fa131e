"""{% load drawn %}: {% drawn "name" value … %}…{% enddrawn %}, a part of a page
that is the same for every request giving the same values, drawn once per process.

Django's templates cost a page a few milliseconds in parts that hardly change: the
header and footer, a list's group of spoiler gates. Such a part names, as its
values, everything it shows that can change from one request to the next (the
reader's progress, whether they are a member, the page's address…); with the
language, the time zone and the code version, they are its key, and each process
keeps the parts it drew last (up to ``DRAWN_LOCAL_BYTES``). A part may hold forms: the
request's CSRF token is taken out of the stored copy and this request's put back.
Parts are never shared between processes, and drawing is off with the fragment
caches (``CARD_CACHE_SECONDS`` 0), which is how the tests compare the two.

A value left out is a part shown to the wrong reader, so each use is checked by
``tests/web/test_drawn.py``: pages drawn with the parts are byte for byte the
pages without them, for visitors, members and staff.
"""

from django import template
from django.conf import settings
from django.template.base import Variable
from django.utils import timezone
from django.utils.functional import LazyObject, SimpleLazyObject, empty
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from fansite.web import pagecache
from fansite.web.lru import LocalLRU
from fansite.web.markers import reading

register = template.Library()

_TOKEN = "__fansite_drawn_token__"
DRAWN_LOCAL_BYTES = 4 * 1024 * 1024
DAY = 24 * 60 * 60
drawn_parts = LocalLRU(max_bytes=DRAWN_LOCAL_BYTES)


class DrawnNode(template.Node):
    def __init__(self, name, values, nodelist):
        self.name = name
        self.values = [quick(value) for value in values]
        self.nodelist = nodelist

    def render(self, context):
        if not settings.CARD_CACHE_SECONDS:
            return self.nodelist.render(context)
        key = (
            self.name,
            *_drawn_for(context.get("request")),
            *(value(context) for value in self.values),
        )
        stored = drawn_parts.get(key)
        if stored is None:
            html = self.nodelist.render(context)
            # A token the part holds was asked for while drawing it; one never asked
            # for is not asked for now (asking makes the response set the cookie).
            token = _token_if_asked(context)
            stored = html.replace(token, _TOKEN) if token else html
            drawn_parts.put(key, stored, DAY)
            return html
        if _TOKEN in stored:
            stored = stored.replace(_TOKEN, str(context.get("csrf_token")))
        return mark_safe(stored)


def quick(expression):
    """``expression.resolve`` (a value in a part's key), taking the short way where
    Django's lookup would find the same thing.

    Django looks each name up as a key first, and an object that is not a mapping
    answers with an exception before its attribute is read: about 3 µs a value
    (``reader.progress``, ``request.get_full_path``), and a page's keys hold some
    fifty. Here an object that cannot be subscripted is asked for the attribute
    straight away, a dict or the context for the key, and a lazy object for what
    it wraps, which is where Django's lookup lands for each. Anything else (a
    filter, a literal, a missing name, an object with ``__getitem__``, a method
    Django would not call, an error) is left to Django from the start, so the
    value is always Django's."""
    var = expression.var
    if expression.filters or not isinstance(var, Variable) or var.lookups is None or var.translate:
        return expression.resolve
    lookups = var.lookups
    slow = expression.resolve

    def resolve(context):
        current = context
        for bit in lookups:
            if isinstance(current, LazyObject):
                if current._wrapped is empty:
                    current._setup()
                current = current._wrapped
            kind = type(current)
            if current is context or kind is dict:
                try:
                    current = current[bit]
                except KeyError:
                    return slow(context)
            elif hasattr(kind, "__getitem__"):
                return slow(context)
            else:
                try:
                    current = getattr(current, bit)
                except AttributeError:
                    return slow(context)
            if callable(current) and not getattr(current, "do_not_call_in_templates", False):
                if getattr(current, "alters_data", False):
                    return slow(context)
                try:
                    current = current()
                except Exception:
                    return slow(context)
        return current

    return resolve


_FOR = "_fansite_drawn_for"


def _drawn_for(request):
    """``(code version, language, time zone)``: what every part's key holds, asked
    once per request (a page draws a dozen parts, and each question goes through
    the thread's locals); the language is the one the markers' fillers ask for
    too (``markers.reading``). The site never changes either in a request once
    its middleware has set them; a template drawn without a request asks each
    time."""
    if request is None:
        return (pagecache.CODE_VERSION, get_language(), timezone.get_current_timezone_name())
    found = request.__dict__.get(_FOR)
    if found is None:
        language = reading(request)[0]
        zone = timezone.get_current_timezone_name()
        found = request.__dict__[_FOR] = (pagecache.CODE_VERSION, language, zone)
    return found


def _token_if_asked(context):
    token = context.get("csrf_token")
    if token is None or (isinstance(token, SimpleLazyObject) and token._wrapped is empty):
        return None
    token = str(token)
    return None if token == "NOTPROVIDED" else token


@register.tag
def drawn(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% drawn %} takes a name and its values")
    nodelist = parser.parse(("enddrawn",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return DrawnNode(name, [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
