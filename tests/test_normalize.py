"""The normal form's table of changed characters, picked out by fast C-level maps, is the table the
definition gives when every BMP character is tried one by one."""

from __future__ import annotations

import unicodedata

from xxgk.read.normalize import _UNIFY, _table, normalize


def test_table_equals_the_character_by_character_definition() -> None:
    expected = {}
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:
        char = chr(code)
        mapped = unicodedata.normalize("NFKC", char).translate(_UNIFY)
        if len(mapped) == 1 and unicodedata.decimal(mapped, None) is not None:
            mapped = str(unicodedata.decimal(mapped))
        if mapped != char:
            expected[char] = mapped
    assert _table()[1] == expected


def test_digits_spaces_and_dashes() -> None:
    # full-width digits and comma (NFKC), Arabic-Indic ٣ (a digit, NFKC-stable), ideographic space,
    # minus sign, a zero-width space dropped
    assert normalize("１２，٣\u3000\u2212\u200b5") == "12,3 -5"


def test_box_drawn_cell_borders_are_cell_borders() -> None:
    # w3m's dump of an HTML table draws cells with box-drawing characters: the vertical ones are
    # the cell borders a scraper prints as |, the corners and rules are kept (they hold no label)
    drawn = "│ 一、本年新收 │ 26 ┃ 0 ║ 1 ┆\n├────┼────┤"
    assert normalize(drawn) == "| 一、本年新收 | 26 | 0 | 1 |\n├────┼────┤"
