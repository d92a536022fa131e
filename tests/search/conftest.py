import pytest

from fansite.search import glossary


@pytest.fixture(autouse=True)
def _fresh_glossary():
    glossary.forget()
    yield
    glossary.forget()
