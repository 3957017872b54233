"""The narrative similarity of the rules across years (X-COPY-TEXT) and of comparisons: shingles
packed into integers for numpy give the Jaccard similarity of the shingles as strings, exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xxgk.check.crossyear import shingles, similarity

# characters of the first plane (CJK, ASCII, a full-width space, and two whose code units would
# run into each other's bits if the packing were wrong), one past it (a surrogate pair in UTF-16),
# and a lone surrogate (text decoded badly may hold one)
CHARACTERS = st.sampled_from(
    ["信", "息", "公", "开", "a", "1", " ", "\n", "\u3000", "\x00", "\u0001", "\u0100", "𠀀", "\ud800"]
)
TEXTS = st.text(alphabet=CHARACTERS, max_size=40)


def _jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


@given(TEXTS, TEXTS)
def test_the_similarity_is_the_jaccard_similarity_of_the_shingles(a: str, b: str) -> None:
    assert similarity(a, b) == _jaccard(a, b)


def test_worked_out_by_hand() -> None:
    # 信息公开工作 has the shingles 信息公开 息公开工 公开工作; 信息公开报告: 信息公开 息公开报
    # 公开报告: one in common of five: 0.2
    assert similarity("信息公开工作", "信息公开报告") == 0.2
    assert similarity("信息公开", "信息公开") == 1.0
    # 信息信息信息: 信息信息 息信息信 信息信息, two distinct; 信息信息: one, in common: 1 / 2
    assert similarity("信息信息信息", "信息信息") == 0.5
    assert similarity("信息", "信息公开") == 0.0  # shorter than a shingle: nothing to compare
    assert similarity("𠀀信息公开", "信息公开") == 0.5  # 𠀀信息公 and 信息公开 against 信息公开
    # two shingles alike but for one character, whose code units (1 and 0x100, then 0) would
    # overlap if packed into too few bits: nothing in common
    assert similarity("\u0001\u0100aa", "\u0001\x00aa") == 0.0
