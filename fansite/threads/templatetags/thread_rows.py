"""{% load thread_rows %}: {% cached_row thread %}…{% endcached_row %}, a board
page's row from the row cache when it may be (fansite.threads.rowcards)."""

from django import template

from fansite.threads.rowcards import render_row

register = template.Library()


class CachedRowNode(template.Node):
    def __init__(self, thread, nodelist):
        self.thread = thread
        self.nodelist = nodelist

    def render(self, context):
        thread = self.thread.resolve(context)
        return render_row(context, thread, lambda: self.nodelist.render(context))


@register.tag
def cached_row(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% cached_row %} takes one thread")
    nodelist = parser.parse(("endcached_row",))
    parser.delete_first_token()
    return CachedRowNode(parser.compile_filter(bits[1]), nodelist)
