from __future__ import annotations

import pytest

from chipwatch.screening.matching.score import align, direct_similarity, token_similarity


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("scholz", "scholz", True),
        ("scholze", "scholz", True),
        ("harbin", "haerbin", True),
        ("octavian", "olaf", False),
        ("54", "55", False),  # numbers must agree exactly
        ("zte", "ztf", False),  # short tokens must agree exactly
        ("huawei", "hauwei", True),
    ],
)
def test_token_similarity(a: str, b: str, similar: bool) -> None:
    assert (token_similarity(a, b) > 0) is similar


def _score(q: tuple[str, ...], a: tuple[str, ...]) -> float:
    return align(q, a, [1.0] * len(q), [1.0] * len(a), direct_similarity(q)).score


def test_alignment_is_one_to_one() -> None:
    # "wang wang" must not match one "wang" twice
    assert _score(("wang", "wang"), ("wang",)) == pytest.approx(2 / 3)


def test_joined_words_pair_with_one_token() -> None:
    result = align(
        ("gazprom", "bank"), ("gazprombank",), [1, 1], [1], direct_similarity(("gazprom", "bank"))
    )
    assert result.score == 1.0
    assert result.pairs[0].alias == "gazprombank"


def test_order_does_not_matter() -> None:
    assert _score(("olaf", "scholz"), ("scholz", "olaf")) == 1.0


def test_weights_demote_common_tokens() -> None:
    q, a = ("huawei",), ("huawei", "technologies")
    plain = align(q, a, [1], [1, 1], direct_similarity(q)).score
    weighted = align(q, a, [4], [4, 1], direct_similarity(q)).score
    assert weighted > plain
