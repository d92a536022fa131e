"""The "Top" score of a comment (docs/reactions.md says why this one).

    score = log2(1 + reactions) + (seconds since 1970 when posted) / one week

Each doubling of a comment's reactions is worth one week of recency: a comment
posted a week later needs half the reactions to rank level with an older one, so
the first comments of a thread do not keep the top places just for having been
read longest. A comment without reactions scores 0, below every reacted one;
among those the newest come first (ties are broken by id, descending).
"""

import math

WEEK_SECONDS = 7 * 24 * 60 * 60


def recency(posted_at) -> float:
    return posted_at.timestamp() / WEEK_SECONDS


def top_score(reactions: int, posted_at) -> float:
    return math.log2(1 + reactions) + recency(posted_at) if reactions > 0 else 0.0
