from .services import ensure_episode_board


def create_board_for_new_episode(sender, instance, created, raw=False, **kwargs):
    """Every episode gets its discussion board as soon as it exists."""
    if created and not raw:
        ensure_episode_board(instance)
