"""normalize_text's fast path for clean strings gives what the long way gives."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tuijin.core.sheets import values


def _long_way(text: str) -> str:
    text = values._CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return values._SPACES.sub(" ", text).strip()


@settings(max_examples=500)
@given(st.text())
def test_the_fast_path_equals_the_long_way(text):
    assert values.normalize_text(text) == _long_way(text)


def test_cells_that_need_work_still_get_it():
    assert values.normalize_text("总投资\n（万元）") == "总投资 (万元)"
    assert values.normalize_text("１２３\u3000万元\x07") == "123 万元"
    assert values.normalize_text("  兰山区  ") == "兰山区"
