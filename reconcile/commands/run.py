"""The commands' work: each job wires the stages (ingest → normalize → link → decide → store)
for one CLI command. Jobs report progress through a callback and return small summaries;
they print nothing themselves. Commands that write hold the campaign lock while they work
(`store.writing`), and say who runs them (`--by`, else the operating-system user) for the
audit log. The day-to-day commands over the campaign's memory are in `casework.py`.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from reconcile import stages
from reconcile.casework import export_results
from reconcile.clock import today, user
from reconcile.decide import decide, top_candidates
from reconcile.errors import UserError
from reconcile.evaluate import Evaluation, evaluate, read_truth
from reconcile.ingest import IngestedTable, load_column_map, read_population, read_registry
from reconcile.link.engine import DEFAULT_ENGINE, Engine
from reconcile.normalize import DataQuality, data_quality, normalize_population, normalize_registry, rejected_communes
from reconcile.normalize.communes import commune_table, current_communes
from reconcile.report import RunChanges, compare_runs
from reconcile.report.progress import COUNTS
from reconcile.ruleset import load_rules
from reconcile.store import (UNKNOWN_COMMUNE, AuditEntry, Campaign, IngestedSide, PairSet, Store, create_campaign,
                             writing)
from reconcile.store.campaign import SETTINGS_FILE
from reconcile.store.scope import ScopeFrames, scope_frames

# A stage's catalogue key (texts/cli.toml) and the values its text names.
Progress = Callable[..., None]

# The columns each stage reads from the store: linking needs the matching columns, deciding
# (reconcile.decide) the few below. Loading only these keeps `train` and `run` small.
_DECIDE_COLUMNS = {
    "marriages": ("registration_id", "commune", "status", "registration_date", "registration_year"),
    "spouses": ("unique_id", "registration_id", "role", "sex", "full_name", "name_tone", "name_ascii",
                "birth_year", "birth_month", "birth_day", "is_foreign", "residence_province", "id12", "id9"),
    "persons": ("unique_id", "person_id", "sex", "marital_status", "spouse_id", "spouse_name", "spouse_name_tone",
                "spouse_name_ascii", "death_date", "death_year", "province", "id12", "id9", "commune", "name_tone",
                "name_ascii", "address", "birth_year", "birth_month", "birth_day"),
}


def _silent(*_args: object, **_values: object) -> None:
    return None


@dataclass(frozen=True)
class IngestSummary:
    kind: str
    path: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    ignored_columns: tuple[str, ...]
    quality: DataQuality


def ingest(campaign: Campaign, registry: Path | None, population: Path | None,
           progress: Progress = _silent, who: str | None = None) -> list[IngestSummary]:
    """Read, validate and normalize the given exports, then store them in one transaction:
    if either file fails, the campaign is left as it was. Earlier ingests stay in the history."""
    if registry is None and population is None:
        raise UserError.said("err_ingest_files")
    who = who or user()
    with writing(campaign.folder, "ingest", who):
        return _ingest(campaign, registry, population, progress, who)


def _ingest(campaign: Campaign, registry: Path | None, population: Path | None, progress: Progress,
            who: str) -> list[IngestSummary]:
    columns = load_column_map(campaign.rules_dir / "columns.toml")
    communes, current = commune_table(), current_communes()
    summaries: list[IngestSummary] = []
    # One transaction: if either file fails, nothing of this ingest is kept. Each table goes to the
    # store as soon as it is made, and is written while the next one is made; the population file
    # is read meanwhile too, while the registry is normalized (much of that is one core's work).
    with (ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile-read") as reader,
          Store(campaign.database) as store, store.save_ingest(who, today()) as saving):
        reading = reader.submit(read_population, population, columns) if population is not None else None
        if registry is not None:
            progress("progress_reading", path=registry)
            table = read_registry(registry, columns)
            saving.table("registry_rows", table.rows)
            progress("progress_normalizing_registry")
            norm = normalize_registry(table.rows, communes, current)
            side = _side(table, "marriage", ("registration_ward_code", "registration_date"), norm.rejected,
                         {"marriages": norm.marriages, "spouses": norm.spouses})
            summaries.append(_summary(side, data_quality(norm.spouses, norm.marriages)))
            del table, norm
            progress("progress_saving_registry")
            saving.side(side)
        if reading is not None:
            progress("progress_reading", path=population)
            table = reading.result()
            saving.table("population_rows", table.rows)
            progress("progress_normalizing_population")
            norm_p = normalize_population(table.rows, communes, current)
            side = _side(table, "person", ("ward_code", None), norm_p.rejected, {"persons": norm_p.persons})
            summaries.append(_summary(side, data_quality(norm_p.persons, norm_p.persons)))
            del table, norm_p
            progress("progress_saving_population")
            saving.side(side)
    return summaries


def _summary(side: IngestedSide, quality: DataQuality) -> IngestSummary:
    return IngestSummary(side.kind, side.path, side.rows_read, side.rows_read - side.rejected.height,
                         side.rejected.height, side.ignored_columns, quality)


def _side(table: IngestedTable, record_type: str, ward_and_date: tuple[str, str | None],
          late_rejected: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> IngestedSide:
    rejected = rejected_communes(pl.concat([table.rejected, late_rejected], how="diagonal_relaxed"),
                                 ward_and_date[0], commune_table(), current_communes(), ward_and_date[1])
    return IngestedSide(table.kind, record_type, str(table.path), table.sha256, table.rows_read,
                        tuple(table.ignored_columns), tables, rejected)


@dataclass(frozen=True)
class TrainSummary:
    model_id: int
    spouses: int
    persons: int
    notes: tuple[str, ...]


def train(campaign: Campaign, progress: Progress = _silent, who: str | None = None,
          engine: Engine = DEFAULT_ENGINE) -> TrainSummary:
    """Train the matching model on the whole province and pin it in the campaign."""
    who = who or user()
    with writing(campaign.folder, "train", who):
        return _train(campaign, progress, who, engine)


def _train(campaign: Campaign, progress: Progress, who: str, engine: Engine = DEFAULT_ENGINE) -> TrainSummary:
    from reconcile.link.model import STORED_LINK_COLUMNS, train_model

    rules = load_rules(campaign.rules_dir)
    with Store(campaign.database, read_only=True) as store:
        spouses, persons = store.table("spouses", STORED_LINK_COLUMNS), store.table("persons", STORED_LINK_COLUMNS)
        ingest_id = store.latest_ingest()
    if spouses.is_empty() or persons.is_empty():
        raise UserError.said("err_nothing_to_train", marriages=f"{spouses.height // 2:,}", persons=f"{persons.height:,}")
    model = train_model(spouses, persons, rules.matching, progress, engine=engine)
    with Store(campaign.database) as store:
        model_id = store.save_model(model, ingest_id, spouses.height, persons.height, who, today())
    return TrainSummary(model_id, spouses.height, persons.height, model.notes)


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    communes: tuple[str, ...]
    buckets: dict[str, int]
    model_is_older_than_data: bool
    changes: RunChanges        # against the previous run of the same communes
    standing: dict[str, int]   # the communes' records per state after the run (see report.progress)


def run(campaign: Campaign, communes: list[str] | None, progress: Progress = _silent,
        who: str | None = None, engine: Engine = DEFAULT_ENGINE) -> RunSummary:
    """Link, decide and store one run for the given communes (None: every commune)."""
    who = who or user()
    command = "run --all" if communes is None else f"run --commune {','.join(communes)}"
    with writing(campaign.folder, command, who):
        return _run(campaign, communes, progress, who, engine)


def _run(campaign: Campaign, communes: list[str] | None, progress: Progress, who: str,
         engine: Engine = DEFAULT_ENGINE) -> RunSummary:
    started = datetime.now(timezone.utc)
    rules = load_rules(campaign.rules_dir)
    # With the couple rules, a pair below the candidate minimum may still be acted on (a spouse found
    # through the partner) or make a runner-up couple: a commune run then reads every kept pair.
    couples = rules.buckets.couples
    min_probability = 0.0 if couples is not None and couples.enabled else rules.buckets.candidate_min_probability
    # Read, then score with the database closed, so that reading commands can use it meanwhile.
    with Store(campaign.database, read_only=True) as store:
        model_id, model_ingest = store.latest_model()
        ingest_id = store.latest_ingest()
        known = store.communes()
        scope = sorted(known) if communes is None else communes
        unknown = [c for c in scope if c not in known]
        if unknown:
            shown = ", ".join(sorted(c for c in known if c)[:20])
            raise UserError.said("err_commune_unknown", commune=", ".join(unknown), shown=shown)
        previous = store.previous_results(scope)
        pair_set = PairSet(model_id, ingest_id, rules.matching.fingerprint())
        stored = store.has_pairs(pair_set)
        if stored:
            # The province was scored with this model on this data: decide from those pairs.
            progress("progress_reading_pairs")
            scoped = (store.scope_frames(scope, min_probability, _DECIDE_COLUMNS) if communes is not None
                      else ScopeFrames(*_deciding_tables(store), store.table("scored_pairs")))
        else:
            from reconcile.link.model import STORED_LINK_COLUMNS, predict_pairs

            model = store.load_model()[2]
            # Read once, with the columns deciding reads too.
            spouses, persons = (store.table(t, dict.fromkeys((*STORED_LINK_COLUMNS, *_DECIDE_COLUMNS[t])))
                                for t in ("spouses", "persons"))
            marriages = store.table("marriages", _DECIDE_COLUMNS["marriages"])
    stages.reached("run:loaded")
    new_pairs = None
    if not stored:
        progress("progress_scoring", spouses=f"{spouses.height:,}", persons=f"{persons.height:,}")
        pairs = predict_pairs(spouses, persons, model, rules.matching, engine=engine)
        new_pairs = (pair_set, pairs)
        province = ScopeFrames(marriages, _deciding(spouses, "spouses"), _deciding(persons, "persons"), pairs)
        del marriages, spouses, persons
        scoped = province if communes is None else _scope_in_memory(province, scope, min_probability)
        del province
    scoped = _filled(scoped)
    progress("progress_deciding")
    results, links = decide(scoped.marriages, scoped.spouses, scoped.persons, scoped.pairs, rules.buckets, rules.reasons)
    results = results.with_columns(pl.col("commune").fill_null(UNKNOWN_COMMUNE)).filter(pl.col("commune").is_in(scope))
    links = links.join(
        scoped.spouses.join(scoped.marriages.filter(pl.col("commune").is_in(scope)).select("registration_id"),
                            on="registration_id", how="semi").select("unique_id"),
        on="unique_id", how="semi")
    candidates = top_candidates(scoped.pairs, links["unique_id"])
    changes = compare_runs(previous, results)
    stages.reached("run:scored")
    progress("progress_saving_run")
    label = "all" if communes is None else ",".join(scope)
    day = today()
    with Store(campaign.database) as store:
        run_id = store.save_run(model_id, ingest_id, label, scope, started, results, links, candidates,
                                who, day, changes.counts(), pairs=new_pairs)
        standing = store.snapshots().filter((pl.col("day") == day) & pl.col("commune").is_in(scope))
    counts = results.group_by("bucket").len()
    return RunSummary(run_id, tuple(scope), dict(zip(counts["bucket"].to_list(), counts["len"].to_list())),
                      model_is_older_than_data=model_ingest < ingest_id, changes=changes,
                      standing={c: int(standing[c].sum()) for c in COUNTS})


def _deciding(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """The columns of `frame` that deciding reads from `table` (those it has, like `Store.table`)."""
    return frame.select(c for c in frame.columns if c in _DECIDE_COLUMNS[table])


def _deciding_tables(store: Store) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The province's marriages, spouses and persons with the columns deciding reads."""
    return tuple(store.table(t, _DECIDE_COLUMNS[t]) for t in ("marriages", "spouses", "persons"))


def _filled(frames: ScopeFrames) -> ScopeFrames:
    """The frames with an unknown commune written as UNKNOWN_COMMUNE, as results show it."""
    commune = pl.col("commune").fill_null(UNKNOWN_COMMUNE)
    return ScopeFrames(frames.marriages.with_columns(commune), frames.spouses,
                       frames.persons.with_columns(commune), frames.pairs)


def _scope_in_memory(province: ScopeFrames, communes: list[str], min_probability: float) -> ScopeFrames:
    """What a run of `communes` decides, from the province's frames and pairs just scored: the
    same queries as from the stored pairs (store.scope), over the frames."""
    with duckdb.connect() as con:
        for name, frame in (("marriages", province.marriages), ("spouses", province.spouses),
                            ("persons", province.persons), ("scored_pairs", province.pairs)):
            con.register(name, frame.to_arrow())
        return scope_frames(con, communes, min_probability, _DECIDE_COLUMNS)


@dataclass(frozen=True)
class DemoOutcome:
    buckets: dict[str, int]
    evaluation: Evaluation
    outputs: dict[str, Path]


def demo(out: Path, persons: int, progress: Progress = _silent) -> DemoOutcome:
    """Generate a sample province and run the whole path on it, into `out`."""
    from reconcile.synthetic import generate

    campaign_dir = out / "campaign"
    progress("progress_generating_sample", persons=f"{persons:,}")
    files = generate(out / "data", persons=persons, seed=7)
    if (campaign_dir / SETTINGS_FILE).exists():
        shutil.rmtree(campaign_dir)  # the demo's own campaign from an earlier demo
    # The demo's campaign starts today, so that `status` shows day 1 of 90.
    campaign = create_campaign(campaign_dir, "46", today(), 90)
    ingest(campaign, files.registry, files.population, progress)
    progress("progress_training")
    train(campaign, progress)
    run(campaign, None, progress)
    with Store(campaign.database, read_only=True) as store:
        results = store.current_results()
    results_path = out / "results.csv"
    export_results(campaign, results_path, "csv")
    counts = results.group_by("bucket").len()
    return DemoOutcome(
        buckets=dict(zip(counts["bucket"].to_list(), counts["len"].to_list())),
        evaluation=evaluate(results, read_truth(files.truth)),
        outputs={"registry": files.registry, "population": files.population, "truth": files.truth,
                 "campaign": campaign_dir, "results": results_path},
    )


def evaluate_campaign(campaign: Campaign, truth: Path, baseline: bool,
                      progress: Progress = _silent, plain_pairs: pl.DataFrame | None = None,
                      ) -> tuple[Evaluation, Evaluation | None]:
    """Score the campaign's current results against a truth file and, if asked, a plain Splink
    configuration trained and bucketed on the same data with the same rules (`plain_pairs`: its
    pairs scored already, as `make bench` does with naive blocking)."""
    from reconcile.link.baseline import baseline_pairs

    expected = read_truth(truth)
    with Store(campaign.database, read_only=True) as store:
        results = store.current_results()
        tables = [store.table(t) for t in ("marriages", "spouses", "persons")] if baseline else []
    ours = evaluate(results, expected)
    if not baseline:
        return ours, None
    rules = load_rules(campaign.rules_dir)
    marriages, spouses, persons = tables
    if plain_pairs is None:
        progress("progress_baseline")
        pairs = baseline_pairs(spouses, persons, rules.matching)[1]
    else:
        pairs = plain_pairs
    plain, _ = decide(marriages, spouses, persons, pairs, rules.buckets, rules.reasons)
    return ours, evaluate(_as_run(plain, results), expected)


def _as_run(other: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """`other` results on the records of the campaign's `results`: the communes run so far, and
    the same rejected rows."""
    return pl.concat([
        other.join(results.select("record_type", "record_id"), on=["record_type", "record_id"], how="semi"),
        results.filter(pl.col("bucket") == "rejected").select(other.columns),
    ], how="vertical_relaxed")


def evaluate_couples_switched(campaign: Campaign, truth: Path,
                              progress: Progress = _silent) -> tuple[Evaluation, str] | None:
    """The campaign's results bucketed again from the same scored pairs with the couple rules
    switched ([couples] enabled: off if on, on if off), scored against the truth, with the key of
    the command line's catalogue naming those rules: the couple rules' gain on the same data. None
    if the campaign's rules have no [couples]."""
    from dataclasses import replace

    expected = read_truth(truth)
    rules = load_rules(campaign.rules_dir)
    couples = rules.buckets.couples
    if couples is None:
        return None
    switched = replace(couples, enabled=not couples.enabled)
    # The switched rules' name, a key of the command line's catalogue (texts/cli.toml).
    label = "eval_couple_rules" if switched.enabled else "eval_per_spouse_rules"
    progress(f"progress_rebucketing_{label.removeprefix('eval_')}")
    with Store(campaign.database, read_only=True) as store:
        results = store.current_results()
        marriages, spouses, persons = _deciding_tables(store)
        pairs = store.table("scored_pairs")
    scoped = _filled(ScopeFrames(marriages, spouses, persons, pairs))
    other, _ = decide(scoped.marriages, scoped.spouses, scoped.persons, scoped.pairs,
                      replace(rules.buckets, couples=switched), rules.reasons)
    return evaluate(_as_run(other, results), expected), label


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    size: int       # bytes
    sha256: str
    communes: int


def report(campaign: Campaign, out: Path, lang: str, commune: str | None, who: str | None = None) -> ReportSummary:
    """Write the supervisor's progress report as of today, for the province or one commune, as one
    self-contained HTML file, and record the file in the audit log."""
    from reconcile.report.gather import gather
    from reconcile.report.html import render_report

    who, day = who or user(), today()
    with writing(campaign.folder, "report", who):
        with Store(campaign.database, read_only=True) as store:
            data = gather(campaign, store, load_rules(campaign.rules_dir).reasons, commune, day)
        page = render_report(data, lang).encode("utf-8")
        try:
            out.write_bytes(page)
        except OSError as exc:
            raise UserError.said("err_report_write", out=out, why=exc.strerror or exc) from None
        sha256 = hashlib.sha256(page).hexdigest()
        subject = f"report ({lang}" + (f", commune {commune})" if commune else ")")
        with Store(campaign.database) as store:
            store.log_export(AuditEntry("export", who, subject, {"communes": len(data.progress.communes)},
                                        {str(out.resolve()): sha256}), day)
    return ReportSummary(out, len(page), sha256, len(data.progress.communes))
