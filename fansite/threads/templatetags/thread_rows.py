"""{% load thread_rows %}: {% cached_row thread "board" %}…{% endcached_row %}, a
row of a list of threads ("board": a board page's; "home": the home page's latest
discussions) from the row cache when it may be (fansite.threads.rowcards)."""

from django import template

from fansite.threads.rowcards import KINDS, render_row

register = template.Library()


class CachedRowNode(template.Node):
    def __init__(self, thread, kind, nodelist):
        self.thread = thread
        self.kind = kind
        self.nodelist = nodelist

    def render(self, context):
        thread = self.thread.resolve(context)
        return render_row(context, self.kind, thread, lambda: self.nodelist.render(context))


@register.tag
def cached_row(parser, token):
    bits = token.split_contents()
    kind = bits[2].strip("\"'") if len(bits) == 3 else None
    if kind not in KINDS:
        raise template.TemplateSyntaxError(
            "{% cached_row %} takes a thread and its list's kind: " + ", ".join(KINDS)
        )
    nodelist = parser.parse(("endcached_row",))
    parser.delete_first_token()
    return CachedRowNode(parser.compile_filter(bits[1]), kind, nodelist)
