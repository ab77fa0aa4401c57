"""The supervisor's progress report as one self-contained HTML file: the Jinja2 template of
`reports/`, the charts' specs, and the vega, vega-lite and vega-embed scripts that Splink ships (read
through `reconcile.link.scripts`), all inlined, so that the page opens, draws and prints with no network at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import jinja2

from reconcile import __version__
from reconcile.link.scripts import chart_scripts
from reconcile.paths import data_dir
from reconcile.report import charts
from reconcile.report.gather import LEAD_EDGES, OUTSIDE, CoupleSummary, ModelSummary, QualitySide, ReportData
from reconcile.report.progress import MIN_PACE_DAYS, PACE_DAYS, CampaignProgress, Progress
from reconcile.report.texts import Texts, texts
from reconcile.store import UNKNOWN_COMMUNE

TEMPLATE = "report.html.j2"
# Counted as on the line: a difference from the target under half a percentage point.
_ON_LINE = 0.005


@dataclass(frozen=True)
class Headline:
    day: str
    share: str
    done_of: str
    target: str
    versus: str
    behind_line: bool
    finish: str
    late: bool
    pace: str
    behind: tuple[str, ...]    # communes behind schedule
    communes: int


def _behind(p: Progress, progress: CampaignProgress) -> bool:
    return p.share_done < progress.share_target - _ON_LINE


def _versus(p: Progress, progress: CampaignProgress, t: Texts) -> str:
    delta = (p.share_done - progress.share_target) * 100
    if abs(delta) < _ON_LINE * 100:
        return t("on_line")
    return t("ahead" if delta > 0 else "behind", points=t.number(abs(delta), 1))


def _finish(p: Progress, progress: CampaignProgress, t: Texts) -> str:
    if p.remaining <= 0:
        return t("finish_done")
    if p.finish is None and p.pace_days < MIN_PACE_DAYS:
        # The campaign (or the commune's first run) is too recent for a pace: say so, not "no progress".
        return t("finish_too_early", days=MIN_PACE_DAYS)
    if p.finish is None:
        return t("finish_unknown", days=p.pace_days)
    return t.day(p.finish)


def _headline(data: ReportData, labels: dict[str, str], t: Texts) -> Headline:
    progress, p = data.progress, data.progress.province
    if progress.day < 1:
        day = t("not_started", date=t.day(progress.start))
    elif progress.day > progress.days:
        day = t("ended", date=t.day(progress.end), day=progress.day)
    else:
        day = t("day_of", day=progress.day, days=progress.days)
    return Headline(
        day=day, share=t.percent(p.share_done), done_of=t("done_of", done=t.number(p.done), in_scope=t.number(p.in_scope)),
        target=t("target_today", target=t.percent(progress.share_target)), versus=_versus(p, progress, t),
        behind_line=_behind(p, progress), finish=_finish(p, progress, t),
        late=p.finish is not None and p.finish > progress.end,
        pace="" if p.pace is None else t("pace_line", pace=t.number(p.pace, 1), days=p.pace_days),
        behind=tuple(labels[c.commune] for c in progress.communes if _behind(c, progress)),
        communes=len(progress.communes),
    )


def _reason_rows(data: ReportData, t: Texts) -> list[dict[str, object]]:
    """Each reason's open records today and a week ago, most first."""
    if data.reasons.is_empty():
        return []
    today, before = data.reasons["day"].max(), data.progress.today - timedelta(days=PACE_DAYS)
    rows = []
    for (state, reason), group in data.reasons.group_by("state", "reason"):
        now = int(group.filter(group["day"] == today)["records"].sum())
        then = int(group.filter(group["day"] == before)["records"].sum())
        known = data.reason_texts.get(reason)
        rows.append({"code": reason, "text": known.text(t.lang) if known else reason, "kind": t(f"bucket_{state}"),
                     "now": now, "before": then, "change": now - then})
    return sorted(rows, key=lambda r: (-r["now"], r["code"]))


def _quality_rows(sides: tuple[QualitySide, ...], t: Texts) -> list[tuple[str, list[str]]]:
    def cell(count: int, whole: int) -> str:
        return f"{t.number(count)} ({t.percent(count / whole if whole else 0.0)})"

    rows = [(t("quality_people"), [t.number(s.figures.people) for s in sides])]
    for key, field in (("quality_without_id", "ids_missing"), ("quality_names_repaired", "names_repaired"),
                       ("quality_birth_partial", "birth_partial")):
        rows.append((t(key), [cell(getattr(s.figures, field), s.figures.people) for s in sides]))
    rows.append((t("quality_old_communes"), [cell(s.figures.old_commune_codes, s.places) for s in sides]))
    return rows


def _prior(model: ModelSummary, t: Texts) -> str:
    weight = math.log2(model.prior / (1 - model.prior))
    return t("prior", probability=t.number(model.prior, 6), weight=t.number(weight, 1))


def _couple_rows(couples: CoupleSummary | None, t: Texts) -> dict[str, list[tuple[str, str, int]]]:
    """The couple tables' rows, (key, label, marriages): how the couples are recorded as spouses,
    and how far each leads its runner-up couple."""
    if couples is None or not couples.couples:
        return {"recorded": [], "leads": []}
    edges = [t.number(e) for e in LEAD_EDGES]
    labels = [t("lead_below", value=edges[0]), *(f"{low}–{high}" for low, high in zip(edges, edges[1:])),
              t("lead_above", value=edges[-1])]
    keys = [f"below_{LEAD_EDGES[0]}", *(f"{low}_{high}" for low, high in zip(LEAD_EDGES, LEAD_EDGES[1:])),
            f"above_{LEAD_EDGES[-1]}"]
    return {"recorded": [(way, t(f"recorded_{way}"), n) for way, n in couples.recorded],
            "leads": [*zip(keys, labels, couples.leads), ("none", t("lead_none"), couples.no_runner_up)]}


def _labels(data: ReportData, t: Texts) -> dict[str, str]:
    labels = {code: f"{name} ({code})" for code, name in data.names.items()}
    return labels | {UNKNOWN_COMMUNE: t("unknown_commune"), OUTSIDE: t("outside_province", communes=data.outside)}


def _charts(data: ReportData, labels: dict[str, str], t: Texts) -> dict[str, dict[str, object]]:
    specs: dict[str, dict[str, object]] = {}
    if data.history:
        specs["burnup"] = charts.burnup(data, t)
        if len(data.progress.communes) > 1:
            order = [c.commune for c in sorted(data.progress.communes,
                                               key=lambda c: (c.share_done - data.progress.share_target, c.commune))]
            specs["multiples"] = charts.small_multiples(data, labels, order, t)
    if not data.reasons.is_empty():
        specs["reasons"] = charts.reason_trend(data, t)
    if data.model is not None:
        if not data.model.weights.is_empty():
            specs["weights"] = charts.weight_histogram(data.model, t)
        specs["levels"] = charts.level_weights(data.model, t)
    return specs


def render_report(data: ReportData, lang: str) -> str:
    """The whole report page in `lang` (vi or en)."""
    t = texts(lang)
    labels = _labels(data, t)
    progress = data.progress
    scope = (t("scope_commune", province=data.province, name=data.names.get(data.commune, "?"), code=data.commune)
             if data.commune is not None else t("scope_province", province=data.province))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(data_dir("reports")), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=t.number, pct=t.percent, pts=t.points, day=t.day, sig=t.significant)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env.get_template(TEMPLATE).render(
        t=t, lang=t.lang, scope=scope, progress=progress, labels=labels,
        period=t("period", start=t.day(progress.start), end=t.day(progress.end), days=progress.days),
        generated=t("generated", date=t.day(progress.today), campaign=data.campaign, version=__version__),
        headline=_headline(data, labels, t),
        league=[(c, labels[c.commune], _behind(c, progress), _finish(c, progress, t),
                 (c.share_done - progress.share_target) * 100) for c in progress.communes],
        province_row=(progress.province, (progress.province.share_done - progress.share_target) * 100,
                      _finish(progress.province, progress, t)),
        reasons=_reason_rows(data, t), pace_days=PACE_DAYS,
        quality=[t(f"quality_{s.kind}") for s in data.quality], quality_rows=_quality_rows(data.quality, t),
        model=data.model, prior=_prior(data.model, t) if data.model else "",
        couples=data.couples, couple_rows=_couple_rows(data.couples, t),
        charts=_charts(data, labels, t), chart_options={"actions": False, "renderer": "svg",
                                                        "formatLocale": t.vega_locale()},
        scripts=chart_scripts(),
    )
