"""A small Korean (and mixed) test set for search, written for this site: posts of
the kind fans write about the show, names with the particles Korean attaches to
them, and the searches fans would type, each with the posts it should find.
docs/search.md measures the approaches on it (python -m tests.search.measure_korean);
tests/search/test_korean_set.py holds the chosen one to it.

The sentences are the project's own, about scenes in general terms: no plot beyond
what the source article says (the nametag, the rooftop, the cast's names).
"""

POSTS = {
    1: "온조가 명찰을 건네는 장면이 제일 좋았다",
    2: "온조는 끝까지 강했어요",
    3: "청산이 온조를 지키려고 했던 게 기억나",
    4: "수혁이랑 온조의 명찰 장면 다시 봤어요",
    5: "남온조 역의 박지후 배우 연기 최고",
    6: "이청산 캐릭터가 너무 좋아요",
    7: "윤찬영 배우가 청산을 연기했죠",
    8: "옥상 장면에서 다들 울었다고 해요",
    9: "옥상에서 버티는 장면이 길었다",
    10: "학교가 배경이라 더 무서웠어요",
    11: "이재규 감독 인터뷰를 읽었어요",
    12: "천성일 작가도 울었다고 합니다",
    13: "The nametag scene with 온조 made me cry",
    14: "On-jo and 청산 on the rooftop",
    15: "좀비 분장이 진짜 같았어요",
    16: "좀비들이 교실로 몰려오는 장면",
    17: "명찰에 적힌 이름이 중요하대요",
    18: "박솔로몬 배우는 수혁 역이에요",
    19: "수혁은 반장이었죠",
    20: "감독님이 명찰 장면은 스포일러라고 했어요",
    21: "온조엄마 이야기는 아직 못 봤어요",
    22: "청산도 좋고 수혁도 좋아",
    23: "학교 옥상 세트가 멋있었다",
    24: "Su-hyeok은 멋있다",
    25: "이수혁 캐릭터 분석",
    26: "우리 반 반장 같은 느낌",
    27: "명찰이라는 소품 하나로 울리다니",
    28: "한 편 더 보고 잘게요",
    29: "온 가족이 같이 봤어요",
    30: "조가 나뉘어서 움직이는 장면",
}

# What a fan types, and the posts that answer it.
QUERIES = {
    "온조": {1, 2, 3, 4, 5, 13, 21},
    # With a particle: the name is what the fan is after.
    "온조가": {1, 2, 3, 4, 5, 13, 21},
    "청산": {3, 6, 7, 14, 22},
    "수혁": {4, 18, 19, 22, 25},
    "명찰": {1, 4, 17, 20, 27},
    "옥상": {8, 9, 23},
    "좀비": {15, 16},
    "남온조": {5},
    "이청산": {6},
    "박지후": {5},
    "감독": {11, 20},
    "반장": {19, 26},
    "nametag 온조": {13},
    "학교 옥상": {23},
    "장면": {1, 4, 8, 9, 16, 20, 30},
}

# The same searches with the glossary (seeded names): every form of a name.
GLOSSARY_QUERIES = {
    "Onjo": {1, 2, 3, 4, 5, 13, 14, 21},
    "Nam On-jo": {1, 2, 3, 4, 5, 13, 14, 21},
    "Cheong-san": {3, 6, 7, 14, 22},
    "Su-hyeok": {4, 18, 19, 22, 24, 25},
}

# On the site, the seeded glossary makes every form of a name one search, Hangul
# included: "남온조", "온조" and "온조가" also find "On-jo".
ON_JO = GLOSSARY_QUERIES["Onjo"]
SITE_QUERIES = {
    **QUERIES,
    **GLOSSARY_QUERIES,
    "온조": ON_JO,
    "온조가": ON_JO,
    "남온조": ON_JO,
    "청산": GLOSSARY_QUERIES["Cheong-san"],
    "이청산": GLOSSARY_QUERIES["Cheong-san"],
    "수혁": GLOSSARY_QUERIES["Su-hyeok"],
}
