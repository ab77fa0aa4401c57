"""`make bench`: a province through the real CLI, stage by stage, beside an independent plain Splink pipeline.

Generates (once, cached under bench/.cache) a province of 1,500,000 persons and runs the path
(`reconcile init → ingest → train → run --all → export results`, then `report`, one `run --commune`
from the pairs `run --all` kept and one with none kept) in fresh campaigns, each command in its own
process, timing its wall clock and the peak memory of its process tree (psutil, polled every 20 ms):
- on the whole registry (every marriage since 1975, the generator's natural share: `--marriages 0`);
- on a 75,000-marriage sample of the same province;
- on the whole registry of a province half the size (the doubling ratio);
- on the whole registry written as a second file flavour (every field quoted, CRLF line endings,
  a BOM, Vietnamese headers, the registry as XLSX), so the fast paths are not tuned to our writer.
After each path run on the whole registry and on the sample, in turns, the independent plain
pipeline (bench/plain.py: Splink's public API only, from the same files, sharing no code with
reconcile) is timed as a whole process. Reports medians; measures both pipelines' accuracy
against the truth file (bench/accuracy.py) and the blocking of both (bench/blocking.py). Writes
bench/results.json and prints a table with the issue's targets.

    python bench/run.py [--persons 1500000] [--sample 75000] [--seed 7] [--repeats 3] [--plain-repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import polars as pl
import psutil
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RECONCILE = [sys.executable, "-m", "reconcile"]
PATH_STAGES = ("ingest", "train", "run_all", "export")   # the full province path of the issue
TARGETS = {"whole_path_s": 60.0, "sample_path_s": 30.0, "peak_gb": 3.0, "speedup": 3.0, "commune_s": 1.5,
           "doubling": 2.2, "flavour": 0.15}


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_gb: float
    stdout: str


def measured(cmd: list[str], cwd: Path) -> Measure:
    """Run `cmd`, polling the resident memory of it and its children; fail loudly on error."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                        env={**os.environ, "COLUMNS": "120"})
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{out[-2000:]}\n{err[-2000:]}")
    return Measure(seconds, peak / 1e9, out)


def fixture(persons: int, marriages: int, seed: int) -> Path:
    """The cached province (marriages 0: the generator's natural share of married adults)."""
    folder = CACHE / (f"province-{persons}-{seed}" if not marriages else f"province-{persons}-{marriages}m-{seed}")
    if not (folder / "registry.csv").exists():
        print(f"generating {persons:,} persons, {marriages or 'natural share of'} marriages (seed {seed}) into {folder}",
              flush=True)
        measured([*RECONCILE, "fixtures", "generate", str(folder), "--persons", str(persons), "--seed", str(seed),
                  *(["--marriages", str(marriages)] if marriages else [])], HERE)
    return folder


def registry_file(data: Path) -> Path:
    return data / "registry.xlsx" if (data / "registry.xlsx").exists() else data / "registry.csv"


def flavoured(data: Path) -> Path:
    """The same province written as another office's export: every field quoted, CRLF line endings
    and a BOM in the population CSV (Vietnamese headers, as the generator writes them), and the
    registry as an XLSX workbook. Cached beside the province."""
    folder = data.with_name(data.name + "-flavour")
    if (folder / "registry.xlsx").exists() and (folder / "population.csv").exists():
        return folder
    print(f"writing the second file flavour of {data.name} into {folder}", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    population = pl.read_csv(data / "population.csv", infer_schema_length=0)
    with (folder / "population.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(population.columns)
        writer.writerows(population.iter_rows())
    book = Workbook(write_only=True)  # openpyxl, as reconcile's tests write XLSX (no second writer)
    sheet = book.create_sheet()
    registry = pl.read_csv(data / "registry.csv", infer_schema_length=0)
    sheet.append(registry.columns)
    for row in registry.iter_rows():
        sheet.append(row)
    book.save(folder / "registry.xlsx")
    shutil.copy(data / "truth.csv", folder / "truth.csv")
    return folder


def largest_commune(campaign: Path) -> str:
    con = duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True)
    try:
        return con.sql("SELECT commune FROM marriages WHERE commune IS NOT NULL "
                       "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchall()[0][0]
    finally:
        con.close()


def has_report() -> bool:
    return subprocess.run([*RECONCILE, "report", "--help"], capture_output=True).returncode == 0


def province_path(data: Path, work: Path, report: bool) -> dict[str, Measure]:
    """One fresh campaign through every stage; the campaign is left in `work` for what follows."""
    shutil.rmtree(work, ignore_errors=True)
    work.parent.mkdir(parents=True, exist_ok=True)
    measured([*RECONCILE, "init", str(work), "--province", "46", "--start", "2025-05-31"], HERE)
    stages = {
        "ingest": ["ingest", "--registry", str(registry_file(data)), "--population", str(data / "population.csv")],
        "train": ["train"],
        "run_all": ["run", "--all"],
        "export": ["export", "results", "--out", str(work / "results.csv")],
    }
    if report:
        stages["report"] = ["report", "--out", str(work / "report.html")]
    out = {}
    for name, args in stages.items():
        out[name] = measured([*RECONCILE, *args], work)
        print(f"  {name:<12} {out[name].seconds:7.1f} s  {out[name].peak_gb:5.2f} GB", flush=True)
    commune = largest_commune(work)
    out["run_commune"] = measured([*RECONCILE, "run", "--commune", commune], work)
    print(f"  run_commune  {out['run_commune'].seconds:7.1f} s  {out['run_commune'].peak_gb:5.2f} GB"
          f"  (commune {commune}: the rows run --all decided with the same model, data, rules and code)", flush=True)
    # The same commune decided again (`--fresh`), from the pairs run --all kept: what a commune run
    # costs after an edit of rules/buckets.toml.
    out["run_commune_fresh"] = measured([*RECONCILE, "run", "--commune", commune, "--fresh"], work)
    print(f"  run_commune_fresh {out['run_commune_fresh'].seconds:4.1f} s  {out['run_commune_fresh'].peak_gb:5.2f} GB"
          "  (decided again from the kept pairs)", flush=True)
    # A commune office that ingested and trained but never ran the province: the same commune
    # run with no scored pairs kept (forgotten here) and nothing decided (--fresh), so it scores
    # the province first.
    forget_pairs(work)
    out["run_commune_cold"] = measured([*RECONCILE, "run", "--commune", commune, "--fresh"], work)
    print(f"  run_commune_cold {out['run_commune_cold'].seconds:5.1f} s  {out['run_commune_cold'].peak_gb:5.2f} GB"
          "  (no pairs kept: scores the province, keeps its pairs)", flush=True)
    return out


def forget_pairs(campaign: Path) -> None:
    con = duckdb.connect(str(campaign / "campaign.duckdb"))
    try:
        con.execute("DELETE FROM pair_sets")
    finally:
        con.close()


def summary(runs: list[dict[str, Measure]]) -> dict[str, dict[str, float]]:
    stages = runs[0].keys()
    table = {s: {"median_s": statistics.median(r[s].seconds for r in runs),
                 "peak_gb": max(r[s].peak_gb for r in runs),
                 "runs_s": [round(r[s].seconds, 2) for r in runs]} for s in stages}
    table["path"] = {"median_s": statistics.median(sum(r[s].seconds for s in PATH_STAGES) for r in runs),
                     "peak_gb": max(r[s].peak_gb for r in runs for s in PATH_STAGES),
                     "runs_s": [round(sum(r[s].seconds for s in PATH_STAGES), 2) for r in runs]}
    return table


def province(data: Path, label: str, repeats: int, report: bool, plain_repeats: int = 0) -> tuple[dict, Path, list[dict]]:
    """The path `repeats` times on `data`; after each of the first `plain_repeats`, the plain pipeline
    on the same files, so that both are measured in turns, under the same load of the machine."""
    campaign = CACHE / f"campaign-{label}"
    runs, plain_runs = [], []
    for i in range(repeats):
        print(f"{label} ({data.name}), run {i + 1}/{repeats}", flush=True)
        runs.append(province_path(data, campaign, report))
        if i < plain_repeats:
            plain_runs.append(plain(data, label, i, plain_repeats))
    return summary(runs), campaign, plain_runs


def plain(data: Path, label: str, i: int, repeats: int) -> dict:
    print(f"plain Splink pipeline on {label}, run {i + 1}/{repeats}", flush=True)
    m = measured([sys.executable, str(HERE / "plain.py"), str(registry_file(data)), str(data / "population.csv"),
                  str(CACHE / f"plain-{label}.parquet")], HERE)
    print(f"  plain        {m.seconds:7.1f} s  {m.peak_gb:5.2f} GB", flush=True)
    return {**json.loads(m.stdout.strip().splitlines()[-1]), "seconds": m.seconds, "peak_gb": m.peak_gb}


def plain_summary(runs: list[dict]) -> dict:
    return {"median_s": statistics.median(r["seconds"] for r in runs), "peak_gb": max(r["peak_gb"] for r in runs),
            "runs": runs}


# The packages that set the generated files (polars, numpy) and the timings.
PACKAGES = ("polars", "numpy", "duckdb", "splink", "pyarrow", "fastexcel", "vietnamadminunits")


def speed_probe() -> float:
    """Seconds a fixed Python loop of 20 M additions takes (in a function): how fast the machine is
    right now. The machine is shared and some days ran the bench at half its usual speed; two
    benches' absolute figures compare only where their probes (and packages) do."""
    started = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return round(time.perf_counter() - started, 2)


def machine(loop_before: float) -> dict:
    """The machine the figures were taken on: cores, memory, the speed probe before and after the
    bench, and the packages' versions (figures from another day compare only if these do)."""
    return {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "loop_s": [loop_before, speed_probe()], "packages": {p: version(p) for p in PACKAGES}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_500_000)
    ap.add_argument("--sample", type=int, default=75_000, help="marriages of the sample leg")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--plain-repeats", type=int, default=3, help="at most --repeats")
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    if not 1 <= args.plain_repeats <= args.repeats:
        ap.error("--plain-repeats must be between 1 and --repeats")
    loop_before = speed_probe()
    print(f"speed probe: a Python loop of 20 M additions in {loop_before:.2f} s", flush=True)
    started = time.perf_counter()
    report = has_report()
    whole_data = fixture(args.persons, 0, args.seed)
    whole, whole_campaign, whole_plain = province(whole_data, "whole", args.repeats, report, args.plain_repeats)
    sample, _, sample_plain = province(fixture(args.persons, args.sample, args.seed), "sample", args.repeats, report,
                                       args.plain_repeats)
    half, _, _ = province(fixture(args.persons // 2, 0, args.seed), "half", args.repeats, report)
    flavour, _, _ = province(flavoured(whole_data), "flavour", args.repeats, report)
    print("blocking analysis (Splink, exact counts)", flush=True)
    blocking = json.loads(measured([sys.executable, str(HERE / "blocking.py"), str(whole_campaign)], HERE).stdout)
    print("accuracy against the truth file: reconcile's results and the plain pipeline's best candidates", flush=True)
    accuracy = json.loads(measured([sys.executable, str(HERE / "accuracy.py"), str(whole_campaign),
                                    str(CACHE / "plain-whole.parquet"), str(whole_data / "truth.csv")], HERE).stdout)
    plain = {"whole": plain_summary(whole_plain), "sample": plain_summary(sample_plain)}
    results = {
        "machine": machine(loop_before),
        "persons": args.persons, "marriages": blocking["spouses"] // 2, "seed": args.seed, "repeats": args.repeats,
        "spouses": blocking["spouses"], "sample_marriages": args.sample,
        "whole": whole, "sample": sample, "half": half, "flavour": flavour, "plain": plain,
        "blocking": blocking, "accuracy": accuracy,
        "ratios": {
            # The independent plain pipeline starts from the same files: set against the whole path.
            "plain_vs_whole_path": plain["whole"]["median_s"] / whole["path"]["median_s"],
            "plain_vs_sample_path": plain["sample"]["median_s"] / sample["path"]["median_s"],
            "doubling": whole["path"]["median_s"] / half["path"]["median_s"],
            "flavour": flavour["path"]["median_s"] / whole["path"]["median_s"] - 1,
        },
        "bench_s": time.perf_counter() - started,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    show(results)


def show(r: dict) -> None:
    whole, ratios = r["whole"], r["ratios"]
    print(f"\n{r['persons']:,} persons, {r['spouses'] // 2:,} registry marriages ({r['spouses']:,} spouses); "
          f"medians of {r['repeats']} runs; {r['machine']['cores']} cores")
    legs = ("whole", "sample", "half", "flavour")
    print(f"{'stage':<18}" + "".join(f"{leg + ' s':>12}" for leg in legs) + f"{'whole GB':>10}")
    for stage in whole:
        print(f"{stage:<18}" + "".join(f"{r[leg].get(stage, {}).get('median_s', float('nan')):>12.1f}" for leg in legs)
              + f"{whole[stage]['peak_gb']:>10.2f}")
    for leg in ("whole", "sample"):
        print(f"{'plain Splink ' + leg:<18}{r['plain'][leg]['median_s']:>12.1f}{r['plain'][leg]['peak_gb']:>10.2f} GB")
    cum = r["blocking"]
    print(f"comparisons: reconcile {cum['reconcile'][-1]['cumulative']:,}, plain {cum['plain'][-1]['cumulative']:,}")
    checks = [
        ("whole registry path ≤ 60 s", whole["path"]["median_s"], whole["path"]["median_s"] <= TARGETS["whole_path_s"]),
        ("whole registry peak ≤ 3 GB", whole["path"]["peak_gb"], whole["path"]["peak_gb"] <= TARGETS["peak_gb"]),
        ("plain / whole path ≥ 3", ratios["plain_vs_whole_path"], ratios["plain_vs_whole_path"] >= TARGETS["speedup"]),
        ("sample path ≤ 30 s", r["sample"]["path"]["median_s"], r["sample"]["path"]["median_s"] <= TARGETS["sample_path_s"]),
        ("plain / sample path ≥ 3", ratios["plain_vs_sample_path"], ratios["plain_vs_sample_path"] >= TARGETS["speedup"]),
        ("run --commune ≤ 1.5 s", whole["run_commune"]["median_s"], whole["run_commune"]["median_s"] <= TARGETS["commune_s"]),
        ("doubling ≤ 2.2×", ratios["doubling"], ratios["doubling"] <= TARGETS["doubling"]),
        ("second flavour within 15%", ratios["flavour"], abs(ratios["flavour"]) <= TARGETS["flavour"]),
    ]
    ours, plain = r["accuracy"]["reconcile"], r["accuracy"]["plain"]
    print(f"{'accuracy':<14}{'precision':>10}{'recall':>9}{'auto share':>12}{'wrong auto links':>18}")
    for name, a in (("reconcile", ours), ("plain Splink", plain)):
        print(f"{name:<14}{a['precision']:>10.4%}{a['recall']:>9.2%}{a['auto_share']:>12.2%}{a['auto_links_wrong']:>18,}")
    checks.append(("precision and recall ≥ plain", ours["precision"],
                   all(ours[k] >= plain[k] for k in ("precision", "recall"))))
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:<34} {value:8.2f}")
    print(f"bench took {r['bench_s'] / 60:.1f} min")
    if "loop_s" in r["machine"]:
        print(f"speed probe before and after: {', '.join(f'{x:.2f}' for x in r['machine']['loop_s'])} s "
              "(compare absolute figures only with a bench whose probe was the same)")


if __name__ == "__main__":
    main()
