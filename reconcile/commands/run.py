"""`reconcile run`: link, decide and store one run, for the province or some of its communes."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from reconcile import __version__
from reconcile.clock import today, user
from reconcile.commands.progress import Progress, silent
from reconcile.commands.train import matcher_sides
from reconcile.decide import decide, ranked_pairs, top_candidates
from reconcile.errors import UserError
from reconcile.frames import DECIDING
from reconcile.link.engine import DEFAULT_ENGINE, Engine
from reconcile.report import RunChanges, compare_runs
from reconcile.report.progress import COUNTS
from reconcile.ruleset import RuleSet, load_rules
from reconcile.store import UNKNOWN_COMMUNE, Campaign, PairSet, Store, pauses, writing
from reconcile.store.scope import ScopeFrames

# The columns each stage reads from the store: linking needs the matching columns, deciding
# (reconcile.decide) those of `frames.DECIDING`. Loading only these keeps `train` and `run` small.
DECIDE_COLUMNS = {table: frame.columns for table, frame in DECIDING.items()}


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    communes: tuple[str, ...]
    buckets: dict[str, int]
    model_is_older_than_data: bool
    changes: RunChanges        # against the previous run of the same communes
    standing: dict[str, int]   # the communes' records per state after the run (see report.progress)


def run(campaign: Campaign, communes: list[str] | None, progress: Progress = silent,
        who: str | None = None, engine: Engine = DEFAULT_ENGINE, fresh: bool = False) -> RunSummary:
    """Link, decide and store one run for the given communes (None: every commune). A run of
    communes (or of every commune) that an earlier run decided with the same model, data, rules and
    code takes that run's rows for them, unless `fresh`."""
    who = who or user()
    command = "run --all" if communes is None else f"run --commune {','.join(communes)}"
    with writing(campaign.folder, command, who):
        return _run(campaign, communes, progress, who, engine, fresh)


def _run(campaign: Campaign, communes: list[str] | None, progress: Progress, who: str,
         engine: Engine = DEFAULT_ENGINE, fresh: bool = False) -> RunSummary:
    started = datetime.now(timezone.utc)
    rules = load_rules(campaign.rules_dir)
    # With the couple rules, a pair below the candidate minimum may still be acted on (a spouse found
    # through the partner) or make a runner-up couple: a commune run then reads every kept pair.
    couples = rules.buckets.couples
    min_probability = 0.0 if couples is not None and couples.enabled else rules.buckets.candidate_min_probability
    # Read, then score with the database closed, so that reading commands can use it meanwhile.
    with Store(campaign.database, read_only=True) as store:
        model_id, model_ingest = store.models.latest()
        ingest_id = store.ingests.latest()
        known = store.runs.communes()
        scope = sorted(known) if communes is None else communes
        unknown = [c for c in scope if c not in known]
        if unknown:
            shown = ", ".join(sorted(c for c in known if c)[:20])
            raise UserError.said("err_commune_unknown", commune=", ".join(unknown), shown=shown)
        previous = store.runs.previous_results(scope)
        pair_set = PairSet(model_id, ingest_id, rules.matching.fingerprint())
        decided_with = _decided_with(pair_set, rules)
        # A run decided these communes (or the whole province) with this very model, data, rules and
        # code: its rows are what deciding them again would give.
        reused = None if fresh else store.runs.decided(decided_with, scope)
        stored = reused is not None or store.runs.has_pairs(pair_set)
        if reused is not None:
            progress("progress_reusing_run" if communes is not None else "progress_reusing_province_run")
        elif stored:
            # The province was scored with this model on this data: decide from those pairs.
            progress("progress_reading_pairs")
            scoped = (store.runs.scope_frames(scope, min_probability, DECIDE_COLUMNS) if communes is not None
                      else ScopeFrames(*deciding_tables(store), store.table("scored_pairs")))
        else:
            model = store.models.load()[2]
            sizes = {t: store.rows(t) for t in ("spouses", "persons")}
    pauses.reached("run:loaded")
    new_pairs = None
    candidates: pl.DataFrame | int  # a run's own candidate rows, or the run that holds them
    if reused is not None:
        # The candidate rows stay where they are: this run names the run that holds them.
        results, links, candidates = reused.results, reused.links, reused.candidates_of
    else:
        if not stored:
            from reconcile.link.model import predict_loaded

            progress("progress_scoring", spouses=f"{sizes['spouses']:,}", persons=f"{sizes['persons']:,}")
            # The matching columns read as the scoring starts and let go once DuckDB holds them; the
            # columns deciding reads, after: no frame is held while Splink works (its peak memory).
            # Ranked as they come (see below), and stored so: one copy of the province's pairs.
            pairs = ranked_pairs(levels_as_categories(predict_loaded(matcher_sides(campaign), model, rules.matching,
                                                                     engine=engine)))
            new_pairs = (pair_set, pairs.drop("rank"))
            with Store(campaign.database, read_only=True) as store:
                # A commune run reads its scope as from stored pairs, with these in their place.
                scoped = (ScopeFrames(*deciding_tables(store), pairs) if communes is None
                          else store.runs.scope_frames(scope, min_probability, DECIDE_COLUMNS, pairs=new_pairs[1]))
            del pairs
        scoped = filled(scoped)
        # The pairs ranked once, for deciding and for the candidate rows.
        scoped = ScopeFrames(scoped.marriages, scoped.spouses, scoped.persons,
                             ranked_pairs(levels_as_categories(scoped.pairs)))
        progress("progress_deciding")
        results, links = decide(scoped.marriages, scoped.spouses, scoped.persons, scoped.pairs, rules.buckets,
                                rules.reasons)
        results = results.with_columns(pl.col("commune").fill_null(UNKNOWN_COMMUNE)).filter(
            pl.col("commune").is_in(scope))
        links = links.join(
            scoped.spouses.join(scoped.marriages.filter(pl.col("commune").is_in(scope)).select("registration_id"),
                                on="registration_id", how="semi").select("unique_id"),
            on="unique_id", how="semi")
        # The records let go before the candidate rows are made, the pairs once they are: the frames
        # held beside the rows being made and saved were a province run's peak.
        pairs = scoped.pairs
        del scoped
        candidates = top_candidates(pairs, links)
        del pairs
    changes = compare_runs(previous, results)
    pauses.reached("run:scored")
    progress("progress_saving_run")
    label = "all" if communes is None else ",".join(scope)
    day = today()
    # A province run writes the province: it compacts (Store), a commune run leaves that to the next one.
    with Store(campaign.database, compact=communes is None) as store:
        run_id = store.runs.save(model_id, ingest_id, label, scope, started, results, links, candidates,
                                who, day, changes.counts(), pairs=new_pairs, decided_with=decided_with)
        standing = store.results.snapshots().filter((pl.col("day") == day) & pl.col("commune").is_in(scope))
    counts = results.group_by("bucket").len()
    return RunSummary(run_id, tuple(scope), dict(zip(counts["bucket"].to_list(), counts["len"].to_list())),
                      model_is_older_than_data=model_ingest < ingest_id, changes=changes,
                      standing={c: int(standing[c].sum()) for c in COUNTS})


def _decided_with(pair_set: PairSet, rules: RuleSet) -> str:
    """What decides a run, as one digest: the scored pairs' model, data and matching rules, the
    bucket rules and reasons, and the code of the package (any change to it may change a decision)."""
    digest = hashlib.sha256(f"{pair_set.model_id}|{pair_set.ingest_id}|{pair_set.matching}|".encode())
    digest.update(repr((rules.buckets, sorted(rules.reasons.items()))).encode())
    digest.update(_code_digest().encode())
    return digest.hexdigest()[:32]


@functools.cache
def _code_digest() -> str:
    """A digest of the package's Python sources and version."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def deciding_tables(store: Store) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The province's marriages, spouses and persons with the columns deciding reads."""
    return tuple(store.table(t, DECIDE_COLUMNS[t]) for t in ("marriages", "spouses", "persons"))


def levels_as_categories(pairs: pl.DataFrame) -> pl.DataFrame:
    """The pairs with their comparison levels (a few labels, repeated over millions of pairs) held
    as categories: 4 bytes a value instead of a 16-byte string view, about 0.28 GB less for the
    1.5 M province's 2.4 M pairs of 8 levels (computed, not measured alone). The store writes them
    as text."""
    return pairs.with_columns(pl.col(c).cast(pl.Categorical) for c in pairs.columns if c.startswith("level_"))


def filled(frames: ScopeFrames) -> ScopeFrames:
    """The frames with an unknown commune written as UNKNOWN_COMMUNE, as results show it."""
    commune = pl.col("commune").fill_null(UNKNOWN_COMMUNE)
    return ScopeFrames(frames.marriages.with_columns(commune), frames.spouses,
                       frames.persons.with_columns(commune), frames.pairs)
