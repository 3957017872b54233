"""The choice among lines' readings across lines (extract.tables._choose_across), on lines made
by hand: the statutory tables join every line of a table in one group through their totals, so
groups apart and a group too large to search are set up here directly."""

from __future__ import annotations

from xxgk.extract.split import Candidate
from xxgk.extract.tables import SEARCH_BUDGET, Line, _choose_across
from xxgk.extract.tokens import Piece
from xxgk.templates.arithmetic import Identity


def _line(key: str, *values: int) -> Line:
    options = [Candidate((Piece(str(v), 0, v),), 0.0) for v in values]
    return Line((key,), (), None, options=options)


def test_a_group_too_large_to_search_leaves_its_lines_in_doubt_and_the_others_searched():
    """Group A: a1..a13 each read 1 or 2, a14 read 13 or 26, one identity a1 + … + a13 = a14:
    all ones with 13 and all twos with 26 both hold it, so every cell of A is in doubt. Its
    2^14 = 16,384 combinations, the identity decided only at a14, take some 32,000 steps, past
    the budget: the best found is kept and every other reading flagged. Group B, apart (no
    identity joins it to A): b1 read 5 or 7, b2 read 5 or 9, b1 = b2: only 5 = 5 holds, so B is
    read 5 and 5, not in doubt, although A came first and spent the budget."""
    assert SEARCH_BUDGET < 2**14
    group_a = [_line(f"t.a{i}.x", 1, 2) for i in range(1, 14)] + [_line("t.a14.x", 13, 26)]
    b1, b2 = _line("t.b1.x", 7, 5), _line("t.b2.x", 9, 5)
    cross = (
        Identity("R", "a", tuple(line.keys[0] for line in group_a[:13]), ("t.a14.x",)),
        Identity("R", "b", ("t.b1.x",), ("t.b2.x",)),
    )
    _choose_across([*group_a, b1, b2], cross)
    assert all(line.ambiguous == {line.keys[0]} for line in group_a)
    assert (b1.reading.pieces[0].value, b2.reading.pieces[0].value) == (5, 5)
    assert not b1.ambiguous and not b2.ambiguous


def test_lines_read_another_way_only_together_are_in_doubt_within_the_budget():
    """c1, c2 read 1 or 2 each, c3 read 2 or 4, c1 + c2 = c3: 1 + 1 = 2 and 2 + 2 = 4 hold, no
    single change of the first keeps it (2 + 1 ≠ 2, 1 + 1 ≠ 4): all three are in doubt. d1, d2
    read 3 or 4 each, d1 = d2 and d1 = 3 (a line e read 3 alone): only 3 = 3 holds."""
    c = [_line("t.c1.x", 1, 2), _line("t.c2.x", 1, 2), _line("t.c3.x", 2, 4)]
    d = [_line("t.d1.x", 4, 3), _line("t.d2.x", 4, 3)]
    e = _line("t.e.x", 3)
    cross = (
        Identity("R", "c", ("t.c1.x", "t.c2.x"), ("t.c3.x",)),
        Identity("R", "d", ("t.d1.x",), ("t.d2.x",)),
        Identity("R", "e", ("t.d1.x",), ("t.e.x",)),
    )
    _choose_across([*c, *d, e], cross)
    assert [line.reading.pieces[0].value for line in c] == [1, 1, 2]  # the first as printed
    assert all(line.ambiguous == {line.keys[0]} for line in c)
    assert [line.reading.pieces[0].value for line in d] == [3, 3]
    assert not any(line.ambiguous for line in d)
