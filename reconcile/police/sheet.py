"""The layout of a police conflict list, shared by its writer (`lists.py`) and the reader of
the answers that come back (`answers.py`): the columns with their Vietnamese and English
headers, the answer catalogue (`rules/answers.toml`), how a value is made safe for a
spreadsheet, and the checksum that tells a row changed outside the answer columns.

The headers are the file format (import recognises a list by them), so they live here and
not in the tunable rules.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconcile.errors import RulesError
from reconcile.paths import data_dir, read_toml
from reconcile.store import VERDICTS

LANGS = ("vi", "en")
ANSWERS_FILE = "answers.toml"
LISTS_SHEET = "lists"  # the hidden sheet holding the drop-down's answers
# A current commune code: the only commune value that may name a sheet or a file.
COMMUNE_CODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: str = "text"  # text | id | probability | answer | note | checksum

    def header(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


def _spouse(role: str, vi: str, en: str, other_vi: str, other_en: str) -> tuple[Column, ...]:
    """A spouse's registry values, the linked population person and that person's values."""
    return (
        Column(f"{role}_name", f"{vi}: họ tên (hộ tịch)", f"{en}: name (registry)"),
        Column(f"{role}_birth_date", f"{vi}: ngày sinh (hộ tịch)", f"{en}: birth date (registry)"),
        Column(f"{role}_id_number", f"{vi}: số giấy tờ (hộ tịch)", f"{en}: ID number (registry)", "id"),
        Column(f"{role}_person_id", f"{vi}: số định danh (dân cư)", f"{en}: personal ID (population)", "id"),
        Column(f"{role}_probability", f"{vi}: xác suất khớp", f"{en}: match probability", "probability"),
        Column(f"{role}_pop_name", f"{vi}: họ tên (dân cư)", f"{en}: name (population)"),
        Column(f"{role}_pop_birth_date", f"{vi}: ngày sinh (dân cư)", f"{en}: birth date (population)"),
        Column(f"{role}_pop_marital_status", f"{vi}: tình trạng hôn nhân (dân cư)",
               f"{en}: marital status (population)"),
        Column(f"{role}_pop_spouse_name", f"{vi}: {other_vi} ghi nhận (dân cư)",
               f"{en}: recorded {other_en} (population)"),
        Column(f"{role}_pop_spouse_id", f"{vi}: số định danh {other_vi} (dân cư)",
               f"{en}: recorded {other_en}'s ID (population)", "id"),
        Column(f"{role}_pop_death_date", f"{vi}: ngày mất (dân cư)", f"{en}: death date (population)"),
    )


COLUMNS = (
    Column("record_id", "Số đăng ký / số định danh", "Registration or personal ID", "id"),
    Column("commune", "Mã xã", "Commune code", "id"),
    Column("commune_name", "Tên xã", "Commune"),
    Column("reasons", "Lý do", "Reason"),
    Column("registration_date", "Ngày đăng ký", "Registration date"),
    Column("registry_status", "Tình trạng (hộ tịch)", "Status (registry)"),
    *_spouse("husband", "Chồng", "Husband", "vợ", "wife"),
    *_spouse("wife", "Vợ", "Wife", "chồng", "husband"),
    Column("couple_recorded", "Ghi nhận là vợ chồng của nhau (dân cư)", "Recorded as each other's spouse (population)"),
    Column("runner_up_husband_id", "Cặp vợ chồng thứ hai: số định danh chồng (dân cư)",
           "Runner-up couple: husband's personal ID (population)", "id"),
    Column("runner_up_wife_id", "Cặp vợ chồng thứ hai: số định danh vợ (dân cư)",
           "Runner-up couple: wife's personal ID (population)", "id"),
    Column("answer", "Trả lời của công an", "Police answer", "answer"),
    Column("note", "Ghi chú của công an", "Police note", "note"),
    Column("checksum", "Mã kiểm tra (không sửa)", "Checksum (do not edit)", "checksum"),
)
# The columns the police do not fill in: the checksum covers exactly these.
DATA_COLUMNS = tuple(c for c in COLUMNS if c.kind not in ("answer", "note", "checksum"))
INDEX = {c.key: i for i, c in enumerate(COLUMNS)}

# The drop-down's help and error texts, and how an imported answer is noted on its decision.
PROMPT = {
    "vi": ("Trả lời", "Chọn một câu trả lời trong danh sách; ghi thêm ở cột Ghi chú."),
    "en": ("Answer", "Choose an answer from the list; add details in the Note column."),
}
NOT_IN_LIST = {
    "vi": ("Không có trong danh sách", "Chỉ chọn câu trả lời có trong danh sách."),
    "en": ("Not in the list", "Only an answer from the list can be read back."),
}
DECISION_NOTE = {"vi": "Công an trả lời", "en": "Police answer"}
# How the linked persons of a marriage record each other as spouse (`couple_recorded` of the
# store), in the list's words.
RECORDED = {
    "id": {"vi": "Theo số định danh: một người ghi số định danh của người kia",
           "en": "By ID: one records the other's personal ID"},
    "both_ways": {"vi": "Cả hai ghi họ tên của nhau", "en": "Both ways: each records the other's name"},
    "name": {"vi": "Theo họ tên: một người ghi họ tên của người kia", "en": "By name: one records the other's name"},
    "none": {"vi": "Không: không ai ghi người kia là vợ/chồng", "en": "No: neither records the other as spouse"},
}

# The registry's and the population's status codes (as normalized) in the list's words; a value
# not listed (an unreadable status kept as typed) is written as it is.
STATUS_WORDS = {
    "registry_status": {
        "valid": {"vi": "Còn hiệu lực", "en": "valid"},
        "divorced": {"vi": "Đã ly hôn", "en": "divorced"},
        "annulled": {"vi": "Đã hủy", "en": "annulled"},
        "unrecognised": {"vi": "Không đọc được", "en": "unrecognised"},
    },
    "marital_status": {
        "single": {"vi": "Chưa kết hôn", "en": "single"},
        "married": {"vi": "Đã kết hôn", "en": "married"},
        "divorced": {"vi": "Đã ly hôn", "en": "divorced"},
        "widowed": {"vi": "Góa", "en": "widowed"},
        "unrecognised": {"vi": "Không đọc được", "en": "unrecognised"},
    },
}


def status_words(column: str, value: object, lang: str) -> object:
    """A status code of `column` (registry_status or a spouse's pop_marital_status) in words."""
    kind = "registry_status" if column == "registry_status" else "marital_status" if column.endswith(
        "_pop_marital_status") else None
    words = STATUS_WORDS[kind].get(str(value)) if kind is not None and value is not None else None
    return words[lang] if words else value


def headers(lang: str) -> list[str]:
    return [c.header(lang) for c in COLUMNS]


@dataclass(frozen=True)
class Answer:
    """One answer of the drop-down and the decision it becomes."""

    code: str
    verdict: str  # accept | reject | defer
    vi: str
    en: str

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


def _plain(text: str) -> str:
    """An answer as typed, compared without case, Unicode form or extra spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def load_answers(rules_dir: Path) -> tuple[Answer, ...]:
    """The campaign's answer catalogue (the default one for a campaign made before it existed)."""
    path = rules_dir / ANSWERS_FILE
    if not path.is_file():
        path = data_dir("rules") / ANSWERS_FILE
    answers, seen = [], set()
    for code, entry in read_toml(path).items():
        if not isinstance(entry, dict):
            raise RulesError.said("err_rules_answer", str(path), code)
        for key in ("verdict", "en", "vi"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RulesError.said("err_rules_string", str(path), f"{code}.{key}")
        if entry["verdict"] not in VERDICTS:
            raise RulesError.said("err_rules_one_of", str(path), f"{code}.verdict", choices=list(VERDICTS),
                                  value=entry["verdict"])
        for key in ("en", "vi"):
            # A spreadsheet's list of allowed values holds at most 255 characters each.
            if len(entry[key]) > 255 or _plain(entry[key]) in seen:
                raise RulesError.said("err_rules_answer_unique", str(path), f"{code}.{key}")
            seen.add(_plain(entry[key]))
        answers.append(Answer(code, entry["verdict"], entry["vi"].strip(), entry["en"].strip()))
    if not answers:
        raise RulesError.said("err_rules_no_answer", str(path), "-")
    return tuple(answers)


def find_answer(typed: str, answers: Sequence[Answer]) -> Answer | None:
    """The answer a cell holds, in either language (or its code)."""
    plain = _plain(typed)
    return next((a for a in answers if plain in (_plain(a.vi), _plain(a.en), a.code.casefold())), None)


# What a spreadsheet would run as a formula (or a DDE command): =, +, -, @ and their full-width
# forms, tab and carriage return at the start of a cell.
_ACTIVE_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters an XLSX file cannot hold at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: str) -> str:
    """A value as a list shows it: never run by a spreadsheet (a leading apostrophe makes it
    text) and free of characters a workbook cannot hold."""
    value = _CONTROL.sub("\ufffd", value)
    return "'" + value if value.startswith(_ACTIVE_START) else value


def cell_text(value: object, kind: str) -> str:
    """A cell's value as text, the same whether it was read from XLSX or CSV; a probability
    with four decimals (a comma as decimal separator is read too)."""
    if value is None:
        return ""
    if kind == "probability":
        try:
            return f"{float(str(value).strip().replace(',', '.')):.4f}"
        except ValueError:
            return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_checksum(texts: Sequence[str]) -> str:
    """SHA-256 of a row's data cells (`DATA_COLUMNS`, as `cell_text`)."""
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()
