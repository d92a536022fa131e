import pytest

from fansite.search import glossary
from fansite.search.forms import BOARDS


@pytest.fixture(autouse=True)
def _fresh_copies():
    """Each test reads the glossary and the boards of its own database: a rolled
    back test sends no signal to drop the copies."""
    glossary.forget()
    BOARDS.forget()
    yield
    glossary.forget()
    BOARDS.forget()
