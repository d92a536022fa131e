from django import template

register = template.Library()


@register.simple_tag
def bar_width(count, distribution):
    """``count`` as a percentage of the largest count in ``distribution`` (the longest
    bar fills its row), as a plain number for an SVG width."""
    largest = max((n for _score, n in distribution), default=0)
    return f"{count * 100 / largest:.1f}" if largest else "0"
