import pytest


def watch_up_to(client, episode):
    """Give the (anonymous) test client a reading progress, kept in its session."""
    session = client.session
    session["watched_up_to"] = episode
    session.save()
    return client


@pytest.fixture
def caught_up_client(client):
    """A visitor who has watched every episode: nothing is gated for them."""
    return watch_up_to(client, 12)
