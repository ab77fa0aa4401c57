"""`reconcile export conflicts` and `reconcile import-answers`: the police round trip, conflict
lists out and answers back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from reconcile.clock import today, user
from reconcile.errors import UserError
from reconcile.normalize.communes import current_communes
from reconcile.police.answers import Problem, check_answers, read_returned
from reconcile.police.lists import FORMATS, commune_lists, list_row, write_lists
from reconcile.police.sheet import COMMUNE_CODE, DATA_COLUMNS, LANGS, cell_text, load_answers
from reconcile.ruleset import load_rules
from reconcile.store import AuditEntry, Campaign, DecidedRecord, Store, writing
from reconcile.store.conflicts import communes_with_results, open_conflicts, record_states


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _commune_names() -> dict[str, str]:
    return dict(current_communes().select("code", "name").iter_rows())


@dataclass(frozen=True)
class ConflictExport:
    files: list[tuple[Path, int]]  # each file written, with its rows
    rows: int
    communes: int
    without_commune: int  # open conflicts whose commune is unknown: in no list
    file_format: str


def export_conflicts(campaign: Campaign, out: Path, commune: str | None, all_communes: bool,
                     file_format: str | None, lang: str, who: str | None = None) -> ConflictExport:
    """Write the open conflicts of one commune (or of each commune) for the police, and record
    the files with their SHA-256 and counts in the audit log."""
    if (commune is None) == (not all_communes):
        raise UserError.said("err_commune_or_all")
    if commune is not None and not COMMUNE_CODE.fullmatch(commune.strip()):
        raise UserError.said("err_commune_code", value=commune)
    if lang not in LANGS:
        raise UserError.said("err_lang", value=lang)
    fmt = (file_format or out.suffix.lstrip(".") or "xlsx").lower()
    if fmt not in FORMATS:
        raise UserError.said("err_format", formats=", ".join(FORMATS), value=fmt)
    commune = commune.strip() if commune is not None else None
    reasons, answers = load_rules(campaign.rules_dir).reasons, load_answers(campaign.rules_dir)
    who = who or user()
    with writing(campaign.folder, "export conflicts", who):
        with Store(campaign.database, read_only=True) as store:
            if commune is not None and commune not in communes_with_results(store):
                raise UserError.said("err_commune_no_results", commune=commune)
            conflicts = open_conflicts(store, [commune] if commune else None)
        lists = commune_lists(conflicts, reasons, _commune_names(), lang)
        rows = sum(len(cl.rows) for cl in lists)
        if not lists:
            return ConflictExport([], 0, 0, conflicts.height, fmt)
        day = today()
        files = write_lists(lists, out, fmt, lang, answers, day, commune is not None)
        with Store(campaign.database) as store:
            store.audit.log_export(AuditEntry("export", who, f"conflicts {commune or 'all'} ({fmt}, {lang})",
                                        {"rows": rows, "communes": len(lists)},
                                        {str(path.resolve()): _sha256(path) for path, _ in files}), day)
    return ConflictExport(files, rows, len(lists), conflicts.height - rows, fmt)


@dataclass(frozen=True)
class AnswersImport:
    path: Path
    answered: int                 # rows with an answer
    by_answer: dict[str, int]     # answer code -> rows
    problems: list[Problem]       # when any: nothing was applied
    sheets_ignored: list[str]
    decided: list[DecidedRecord]


def import_answers(campaign: Campaign, path: Path, who: str | None = None) -> AnswersImport:
    """Check every row of a returned list; if all are right, store every answer as a decision in
    one transaction (with the file's SHA-256 in the audit log), else store none."""
    who = who or user()
    answers, reasons = load_answers(campaign.rules_dir), load_rules(campaign.rules_dir).reasons
    returned = read_returned(path)
    with writing(campaign.folder, "import-answers", who):
        with Store(campaign.database) as store:
            ids = sorted({r.get("record_id") for r in returned.rows if r.get("record_id")})
            states = record_states(store, ids)
            names = _commune_names()
            # Each open record's row as a new list would show it, in the languages the file uses.
            current = {
                (record["record_id"], lang): tuple(
                    cell_text(v, c.kind) for v, c in zip(list_row(record, reasons, names.get(record["commune"], ""),
                                                                  lang), DATA_COLUMNS))
                for record in open_conflicts(store, record_ids=ids).iter_rows(named=True)
                for lang in {r.lang for r in returned.rows}
            }
            check = check_answers(returned, answers, states, lambda record_id, lang: current.get((record_id, lang)))
            if not check.problems and not check.decisions:
                raise UserError.said("err_no_answers", path=path)
            decided = [] if check.problems else store.decisions.save_all(
                check.decisions, who, today(),
                AuditEntry("import", who, f"answers {path.name}", {"answers": check.answered, **check.by_answer},
                           {str(path.resolve()): _sha256(path)}))
    return AnswersImport(path, check.answered, check.by_answer, check.problems, returned.sheets_ignored, decided)
