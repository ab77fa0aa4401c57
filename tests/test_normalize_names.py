"""Names: the golden table (tests/data/names.tsv) and properties of the keys."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import jellyfish
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.normalize.names import name_columns, name_table, normalize_name, one_slip_apart

GOLDEN = Path(__file__).parent / "data" / "names.tsv"
GOLDEN_HEADER = ["raw", "full_name", "name_tone", "name_ascii"]


def _golden_rows() -> list[list[str]]:
    # split("\n"), not splitlines(): raw values may hold characters splitlines() breaks at
    lines = GOLDEN.read_text(encoding="utf-8").split("\n")
    assert lines[0].split("\t") == GOLDEN_HEADER
    rows = [line.split("\t") for line in lines[1:] if line]
    assert all(len(row) == 4 for row in rows), "every golden row has 4 tab-separated columns"
    return rows


ROWS = _golden_rows()


@pytest.fixture(scope="module")
def golden_result() -> dict[str, dict[str, str | None]]:
    """All golden names normalised in one batch, as production does."""
    table = name_table(pl.Series([row[0] for row in ROWS]))
    return {row["raw"]: row for row in table.iter_rows(named=True)}


@pytest.mark.parametrize(("raw", "full_name", "name_tone", "name_ascii"), ROWS, ids=[f"row{i + 2}" for i in range(len(ROWS))])
def test_golden_name(golden_result: dict, raw: str, full_name: str, name_tone: str, name_ascii: str) -> None:
    got = golden_result[raw]
    assert (got["full_name"], got["name_tone"], got["name_ascii"]) == (full_name, name_tone, name_ascii)


def test_golden_table_covers_the_forms_names_arrive_in() -> None:
    raws = [row[0] for row in ROWS]
    assert len(ROWS) >= 150
    assert any(unicodedata.normalize("NFD", r) == r != unicodedata.normalize("NFC", r) for r in raws)  # NFD
    assert any("Ô" in r and "¨" in r for r in raws)  # TCVN3
    assert any("eã" in r and "aê" in r for r in raws)  # VNI
    assert any(r.isupper() for r in raws) and any("  " in r for r in raws) and any(r.isascii() for r in raws)


def test_tone_styles_and_i_y_spellings_share_one_key() -> None:
    assert normalize_name("Trần Thị Hoà").name_tone == normalize_name("Trần Thị Hòa").name_tone == "trần thị hòa"
    assert normalize_name("Lê Thuý").name_tone == normalize_name("Lê Thúy").name_tone
    assert normalize_name("Võ Lý").name_ascii == normalize_name("Võ Lí").name_ascii == "vo li"
    # the display form keeps what the record says
    assert normalize_name("Trần Thị Hoà").full_name == "Trần Thị Hoà"


def test_tones_still_tell_names_apart() -> None:
    tones = {normalize_name(n).name_tone for n in ("Nguyễn Hùng", "Nguyễn Hưng", "Nguyễn Hồng")}
    assert len(tones) == 3
    assert {normalize_name(n).name_ascii for n in ("Nguyễn Hùng", "Nguyễn Hưng")} == {"nguyen hung"}


def test_name_parts() -> None:
    parts = normalize_name("Huỳnh Thị Ngọc Hân")
    assert (parts.name_tone, parts.given_tone) == ("huỳnh thị ngọc hân", "hân")
    assert (parts.family_ascii, parts.middle_ascii, parts.given_ascii) == ("huynh", "thi ngoc", "han")
    assert parts.family_key == "hoang" and normalize_name("Võ An").family_key == "vu"
    assert parts.name_core_ascii == "huynh ngoc han"
    single = normalize_name("Hùng")
    assert (single.family_ascii, single.middle_ascii, single.given_ascii) == (None, None, "hung")


def test_van_thi_dropped_only_in_the_middle() -> None:
    assert normalize_name("Nguyễn Văn An").name_core_ascii == normalize_name("Nguyễn An").name_core_ascii
    assert normalize_name("Lê Thị").name_core_ascii == "le thi"  # Thị as a given name stays


def test_repair_is_reported() -> None:
    assert normalize_name("NguyÔn V¨n Hïng").name_repair == "tcvn3"
    assert normalize_name("Nguyeãn Vaên Huøng").name_repair == "vni"
    assert normalize_name("Nguyễn Văn Hùng").name_repaired is False


def test_name_columns_adds_columns_and_keeps_rows() -> None:
    frame = pl.DataFrame({"full_name": ["NguyÔn V¨n Hïng", None, "Lê Thị Hoà", "Lê Thị Hoà"], "n": [1, 2, 3, 4]})
    out = name_columns(frame, "full_name", prefix="h_")
    assert out.get_column("n").to_list() == [1, 2, 3, 4]
    assert out.get_column("h_full_name").to_list() == ["Nguyễn Văn Hùng", None, "Lê Thị Hoà", "Lê Thị Hoà"]
    assert out.get_column("h_name_repaired").to_list() == [True, False, False, False]
    # the input column may share a name with an output column: it is replaced
    assert name_columns(frame, "full_name").get_column("full_name").to_list()[0] == "Nguyễn Văn Hùng"


# --- properties ------------------------------------------------------------------------

SYLLABLES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Võ Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Văn Thị Hữu Đức Ngọc "
    "Thanh Thu Hùng Hưng Hồng Hòa Hoà Thúy Thuý Khỏe Khoẻ Quỳnh Quý Tuấn Tiến Tuyết Hương Ước "
    "Nguyệt Giang Gia Khuê Huệ Ánh Ân Ẩn Yến Uyên Kỳ Mỹ Sỹ Vy Chi Trường Phước Đạt"
).split()
viet_names = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_accepted(text: str) -> None:
    parts = normalize_name(text)
    assert parts.name_ascii is None or parts.name_ascii.isascii()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_ascii_key_is_idempotent(text: str) -> None:
    key = normalize_name(text).name_ascii
    if key is not None:
        assert normalize_name(key).name_ascii == key


@settings(max_examples=300, deadline=None)
@given(viet_names, st.sampled_from(["NFC", "NFD"]), st.sampled_from([str, str.upper, str.lower]))
def test_keys_do_not_depend_on_form_and_are_idempotent(name: str, form: str, case: object) -> None:
    reference = normalize_name(name)
    variant = normalize_name(unicodedata.normalize(form, case(name)))  # type: ignore[operator]
    assert (variant.name_tone, variant.name_ascii) == (reference.name_tone, reference.name_ascii)
    again = normalize_name(reference.full_name)
    assert (again.full_name, again.name_tone, again.name_ascii) == (
        reference.full_name, reference.name_tone, reference.name_ascii,
    )
    assert normalize_name(reference.name_tone).name_tone == reference.name_tone
    assert reference.name_repaired is False


def test_van_and_thi_go_anywhere_for_a_recorded_spouse_name_but_only_inside_for_the_blocking_key() -> None:
    from reconcile.normalize.names import core_ascii, without_soft_middles

    names = pl.DataFrame({"n": ["tran thi binh", "trần thị bình", "văn an", "nguyen van thi an", "thi"]})
    assert names.select(without_soft_middles(pl.col("n")))[:, 0].to_list() == [
        "tran binh", "trần bình", "an", "nguyen an", ""]
    assert names.select(core_ascii(pl.col("n")))[:, 0].to_list() == [
        "tran binh", "trần thị bình", "văn an", "nguyen an", "thi"]


# A few letters, so that random keys share beginnings and ends and fall one slip apart often;
# a toned letter and a space, as keys with tones and several words hold.
_SLIP_LETTERS = st.text(alphabet="anhgtuịơ ", max_size=9)


@st.composite
def _slipped_pairs(draw: st.DrawFn) -> tuple[str | None, str | None]:
    """Two keys: unrelated, or the second made from the first by zero to two slips (a letter
    wrong, missing, added, or two swapped); now and then one of them null."""
    first = draw(_SLIP_LETTERS)
    second = first
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(second)))
        letter = draw(st.sampled_from("anhgtuịơ "))
        slip = draw(st.sampled_from(["wrong", "missing", "added", "swapped"]))
        if slip == "added" or not second:
            second = second[:at] + letter + second[at:]
        elif slip == "missing":
            second = second[:at] + second[at + 1:]
        elif slip == "wrong":
            second = second[:at] + letter + second[at + 1:]
        elif at < len(second) - 1:
            second = second[:at] + second[at + 1] + second[at] + second[at + 2:]
    if draw(st.booleans()):
        second = draw(_SLIP_LETTERS)
    return (None if draw(st.integers(0, 9)) == 0 else first), (None if draw(st.integers(0, 9)) == 0 else second)


@settings(max_examples=50, deadline=None)
@given(st.lists(_slipped_pairs(), min_size=1, max_size=60))
def test_one_slip_apart_is_a_damerau_levenshtein_distance_of_at_most_one(pairs: list[tuple[str | None, str | None]]) -> None:
    frame = pl.DataFrame(pairs, schema={"a": pl.String, "b": pl.String}, orient="row")
    got = frame.select(one_slip_apart(pl.col("a"), pl.col("b"))).to_series().to_list()
    assert got == [None if a is None or b is None else jellyfish.damerau_levenshtein_distance(a, b) <= 1
                   for a, b in pairs]


@pytest.mark.parametrize(("typed", "name", "apart"), [
    ("tran hong linv", "tran hong linh", True),     # a letter wrong
    ("tran hong lin", "tran hong linh", True),      # a letter missing
    ("tran hongg linh", "tran hong linh", True),    # a letter added
    ("tran hnog linh", "tran hong linh", True),     # two swapped
    ("tran hong linh", "tran hong linh", True),
    ("tran hnog lihn", "tran hong linh", False),    # two slips
    ("tran ho linh", "tran hong linh", False),      # two letters missing
    ("tran thi linh", "tran hong linh", False),
])
def test_one_slip_apart_tells_a_typing_slip_from_another_name(typed: str, name: str, apart: bool) -> None:
    frame = pl.DataFrame({"typed": [typed, None], "name": [name, name]})
    assert frame.select(one_slip_apart(pl.col("typed"), pl.col("name"))).to_series().to_list() == [apart, None]
