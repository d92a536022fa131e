from django.utils.functional import SimpleLazyObject

from .readers import reader_for


def reader(request):
    """The reader's spoiler settings: ``reader.progress`` and revealed items."""
    return {"reader": SimpleLazyObject(lambda: reader_for(request))}
