from django.utils.functional import SimpleLazyObject

from .readers import has_chosen_progress, reader_for


def reader(request):
    """The reader's spoiler settings: ``reader.progress`` and revealed items, and
    ``asks_progress``: whether pages still ask how far they have watched
    (includes/_first_visit.html). Both are worked out only if a template reads them."""
    return {
        "reader": SimpleLazyObject(lambda: reader_for(request)),
        "asks_progress": lambda: not has_chosen_progress(request),
    }
