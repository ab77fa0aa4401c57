"""The police's answers, read back from a returned conflict list (XLSX or CSV) and checked.

Every row is checked before anything is applied: the header, formulas, its checksum (a cell
changed outside the answer columns), duplicates, the answer against the list, and the record
against the campaign (unknown, of another commune, no longer open, or changed since the list
was made). Either every answer becomes a decision, or none does and each wrong row is named
by sheet, row and column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from reconcile.errors import InputFileError
from reconcile.ingest.privacy import mask_ids
from reconcile.ingest.workbook import check_workbook
from reconcile.police.sheet import (
    COLUMNS,
    COMMUNE_CODE,
    DATA_COLUMNS,
    DECISION_NOTE,
    LANGS,
    LISTS_SHEET,
    Answer,
    Column,
    cell_text,
    find_answer,
    row_checksum,
)
from reconcile.store import NewDecision
from reconcile.store.conflicts import RecordState

_MAX_CSV = 200 << 20


@dataclass(frozen=True)
class Layout:
    """The columns of a list as one version of `export conflicts` wrote them: what its header
    row says, where each cell is, and the data cells its row checksum covers."""

    columns: tuple[Column, ...]

    @cached_property
    def data(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind not in ("answer", "note", "checksum"))

    @cached_property
    def index(self) -> dict[str, int]:
        return {c.key: i for i, c in enumerate(self.columns)}

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]


# The layouts a returned list may have, the current one first. Lists stay with the police for
# days, so one exported before the couple columns (how the linked persons record each other as
# spouse, the runner-up couple's IDs; added in ebc9621) is still read, with its own checksum.
_COUPLE_KEYS = ("couple_recorded", "runner_up_husband_id", "runner_up_wife_id")
LAYOUTS = (Layout(COLUMNS), Layout(tuple(c for c in COLUMNS if c.key not in _COUPLE_KEYS)))
# Where each data cell is in a row as a new list shows it (`DATA_COLUMNS`).
_SHOWN = {c.key: i for i, c in enumerate(DATA_COLUMNS)}


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file) cannot be applied, and where: sheet (XLSX), row and column."""

    sheet: str
    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class ReturnedRow:
    """One data row of a returned list: where it is, its language and its cells as text."""

    sheet: str
    row: int
    lang: str
    layout: Layout
    cells: tuple[str, ...]  # `cell_text` of each column of its layout

    def get(self, key: str) -> str:
        return self.cells[self.layout.index[key]]

    @property
    def data(self) -> tuple[str, ...]:
        """The cells its checksum covers, in order."""
        return tuple(self.get(c.key) for c in self.layout.data)


@dataclass(frozen=True)
class ReturnedList:
    rows: list[ReturnedRow]
    problems: list[Problem]
    sheets_ignored: list[str]


def _column(layout: Layout, i: int, lang: str) -> str:
    return f"{get_column_letter(i + 1)} ({layout.columns[i].header(lang)})"


def _header(values: Sequence[object]) -> tuple[Layout, str] | None:
    """The layout and language whose header row this is."""
    given = [("" if v is None else str(v).strip()) for v in values]
    return next(((layout, lang) for layout in LAYOUTS for lang in LANGS
                 if given[:len(layout.columns)] == layout.headers(lang)), None)


def _rows(sheet: str, table: Sequence[tuple[int, Sequence[object], Sequence[int]]], out: ReturnedList) -> None:
    """Rows (number, values, the 0-based columns holding a formula) of one table, header first."""
    if not table:
        return
    number, values, _ = table[0]
    found = _header(values)
    if found is None:
        out.problems.append(Problem(sheet, number, "", "the header row is not a conflict list's; export a new list "
                                                       "(columns must stay as exported, in their order)"))
        return
    layout, lang = found
    for number, values, formulas in table[1:]:
        texts = [cell_text(values[i] if i < len(values) else None, c.kind) for i, c in enumerate(layout.columns)]
        if not any(t.strip() for t in texts):
            continue
        texts = [t.strip() if c.kind in ("answer", "note") else t for t, c in zip(texts, layout.columns)]
        for i in formulas:
            if i < len(layout.columns):
                where = _column(layout, i, lang)
                out.problems.append(Problem(sheet, number, where, "a formula; type the value itself"))
        out.rows.append(ReturnedRow(sheet, number, lang, layout, tuple(texts)))


def _read_xlsx(path: Path) -> ReturnedList:
    check_workbook(path)  # a damaged archive or a zip bomb is refused before any cell is read
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputFileError.said("err_answers_xlsx", str(path), why=exc) from None
    out = ReturnedList([], [], [])
    try:
        for sheet in book.worksheets:
            if not COMMUNE_CODE.fullmatch(sheet.title):
                if sheet.title != LISTS_SHEET:
                    out.sheets_ignored.append(sheet.title)
                continue
            table = []
            for cells in sheet.iter_rows():
                row = [c for c in cells if getattr(c, "column", None) is not None]
                if not row:
                    continue
                width = max(c.column for c in row)
                values: list[object] = [None] * width
                formulas = []
                for c in row:
                    values[c.column - 1] = c.value
                    if c.data_type == "f":
                        formulas.append(c.column - 1)
                table.append((row[0].row, values, formulas))
            _rows(sheet.title, table, out)
    finally:
        book.close()
    return out


def _read_csv(path: Path) -> ReturnedList:
    if path.stat().st_size > _MAX_CSV:
        raise InputFileError.said("err_answers_too_large", str(path), size=_MAX_CSV >> 20)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError.said("err_answers_not_utf8", str(path)) from None
    first = text.splitlines()[0] if text else ""
    # Spreadsheets in a Vietnamese locale save with ';' (the comma is the decimal separator there).
    delimiter = max(",;\t", key=first.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputFileError.said("err_answers_csv", str(path), why=exc) from None
    out = ReturnedList([], [], [])
    _rows("", [(n, values, []) for n, values in enumerate(records, start=1)], out)
    return out


def read_returned(path: Path) -> ReturnedList:
    """The rows of a returned list, with the problems found in the file itself."""
    if not path.is_file():
        raise InputFileError.said("err_answers_no_file", str(path))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise InputFileError.said("err_answers_not_list", str(path))


@dataclass(frozen=True)
class AnswerCheck:
    decisions: list[NewDecision]
    problems: list[Problem]
    answered: int
    by_answer: dict[str, int]


def check_answers(returned: ReturnedList, answers: Sequence[Answer], states: Mapping[str, list[RecordState]],
                  current_row: Callable[[str, str], tuple[str, ...] | None]) -> AnswerCheck:
    """Check every row; the decisions to store if no problem was found. `states` says where each
    record stands now, `current_row(record_id, lang)` gives its data cells as a new list would
    show them (`DATA_COLUMNS`; None when it is not an open conflict): a row of an older layout
    is compared on the columns it has."""
    problems = list(returned.problems)
    decisions, by_answer = [], {}
    seen: dict[str, ReturnedRow] = {}

    def problem(row: ReturnedRow, key: str, message: str) -> None:
        where = _column(row.layout, row.layout.index[key], row.lang) if key else ""
        problems.append(Problem(row.sheet, row.row, where, mask_ids(message)))

    for row in returned.rows:
        record_id, answer_text, note = row.get("record_id"), row.get("answer"), row.get("note")
        data, columns = row.data, row.layout.data
        if not record_id:
            problem(row, "record_id", "a row without a record; delete it")
            continue
        if record_id in seen:
            first = seen[record_id]
            where = (f"sheet {first.sheet} " if first.sheet else "") + f"row {first.row}"
            problem(row, "record_id", f"record {record_id} is also in {where}; keep one row per record")
            continue
        seen[record_id] = row
        found = [s for s in states.get(record_id, []) if s.bucket != "rejected"]
        shown = current_row(record_id, row.lang)
        current = None if shown is None else tuple(shown[_SHOWN[c.key]] for c in columns)
        if row_checksum(data) != row.get("checksum"):
            changed = [c.key for c, was, now in zip(columns, current or (), data) if was != now]
            for key in changed or ["checksum"]:
                problem(row, key, "changed outside the answer columns; only the answer and the note may be filled in")
            continue
        if not answer_text:
            if note:
                problem(row, "note", "a note without an answer; choose an answer from the list, or clear the note")
            continue
        answer = find_answer(answer_text, answers)
        if answer is None:
            texts = ", ".join(f"'{a.text(row.lang)}'" for a in answers)
            problem(row, "answer", f"'{answer_text}' is not in the list; choose one of {texts}")
            continue
        if not found:
            problem(row, "record_id", f"unknown record {record_id}: not in the campaign's current results")
            continue
        state = found[0]
        if row.sheet and row.sheet != row.get("commune"):
            problem(row, "commune", f"a row of commune {row.get('commune')} in the sheet of commune {row.sheet}; "
                                    "move it back to its own sheet")
        elif state.commune != row.get("commune"):
            problem(row, "commune", f"record {record_id} is now in commune {state.commune or '?'}; export a new list")
        elif current is None:
            problem(row, "record_id", f"record {record_id} is no longer an open conflict (now {state.state}); "
                                      "its answer is not needed")
        elif current != data:
            changed = [c.key for c, was, now in zip(columns, current, data) if was != now]
            problem(row, changed[0], f"record {record_id} changed in the campaign since this list was made; "
                                     "export a new list")
        elif answer.verdict == "accept" and not state.person_ids:
            problem(row, "answer", f"'{answer_text}' needs a linked population person, and this record has none")
        else:
            label = f"{DECISION_NOTE[row.lang]}: {answer.text(row.lang)}"
            decisions.append(NewDecision(record_id, answer.verdict,
                                         list(state.person_ids) if answer.verdict == "accept" else [],
                                         f"{label} — {note}" if note else label))
            by_answer[answer.code] = by_answer.get(answer.code, 0) + 1
    return AnswerCheck([] if problems else decisions, problems, sum(by_answer.values()), by_answer)
