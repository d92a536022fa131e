from django import template

register = template.Library()


@register.simple_tag
def bar_width(count, distribution):
    """``count`` as a percentage of the largest count in ``distribution`` (the longest
    bar fills its row), as a plain number for an SVG width."""
    largest = max((n for _score, n in distribution), default=0)
    return f"{count * 100 / largest:.1f}" if largest else "0"


@register.simple_tag
def average_of(averages, episode):
    """``(average, count)`` of ``episode`` from ``Rating.objects.averages()``, or None."""
    return averages.get(episode.pk)


@register.filter
def out_of_ten_width(average):
    """An average out of 10 as a percentage, for an SVG width."""
    return f"{average * 10:.1f}"
