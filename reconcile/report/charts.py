"""The report's charts as Vega-Lite specs (plain dicts, drawn in the page by the vega scripts
inlined beside them). Pure: report data and a text function in, specs out.

The x axis of the progress charts is the day of the campaign (1 … N): no dates and so no time
zone or month names to get wrong; the target line runs from 0 % on day 0 to 100 % on day N.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl

from reconcile.report.gather import ModelSummary, ReportData

Spec = dict[str, Any]
Text = Callable[..., str]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only: nothing is fetched
WIDTH = 760
BLUE, GREY, GREEN, RED = "#1f5fbf", "#8a9099", "#2e7d32", "#c62828"


def _base(height: int, values: list[dict[str, Any]]) -> Spec:
    return {"$schema": SCHEMA, "width": WIDTH, "height": height, "data": {"values": values},
            "config": {"font": "sans-serif", "view": {"stroke": None}}}


def _steps(points: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Only the days a value changes, and the last day: drawn as steps, the line is the same."""
    return [p for i, p in enumerate(points) if i in (0, len(points) - 1) or p[1] != points[i - 1][1]]


def _series_encoding(t: Text) -> dict[str, Any]:
    names = [t("series_done"), t("series_target"), t("series_projection")]
    return {
        "color": {"field": "s", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
                  "scale": {"domain": names, "range": [BLUE, GREY, BLUE]}},
        "strokeDash": {"field": "s", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
                       "scale": {"domain": names, "range": [[1, 0], [4, 3], [2, 3]]}},
    }


def _layers(t: Text, width: float, points: bool = False) -> list[Spec]:
    """The done share drawn as steps (it holds from one snapshot to the next), with `points` a
    point on each day it changes (on the first day of a campaign a single point: a line needs
    two), the target line and the projection as straight lines."""
    is_done = f"datum.s === {json.dumps(t('series_done'), ensure_ascii=False)}"
    done: Spec = {"type": "line", "interpolate": "step-after", "strokeWidth": width}
    if points:
        done["point"] = {"filled": True, "size": 12 * width * width}
    return [
        {"transform": [{"filter": is_done}], "mark": done},
        {"transform": [{"filter": f"!({is_done})"}], "mark": {"type": "line", "strokeWidth": width}},
    ]


def _axes(t: Text, days: int) -> dict[str, Any]:
    return {
        "x": {"field": "d", "type": "quantitative", "title": t("axis_day"), "scale": {"domain": [0, days], "nice": False},
              "axis": {"format": "d", "tickMinStep": 1}},
        "y": {"field": "v", "type": "quantitative", "title": t("axis_done"), "axis": {"format": ".0%"},
              "scale": {"domain": [0, 1]}},
    }


def burnup(data: ReportData, t: Text) -> Spec:
    """The province (or the one commune): share done each day, the target line and the projection."""
    progress = data.progress
    done, target, projection = t("series_done"), t("series_target"), t("series_projection")
    series = _steps([(h.day, round(h.province.share_done, 4)) for h in data.history])
    values = [{"d": d, "v": v, "s": done} for d, v in series]
    values += [{"d": 0, "v": 0, "s": target}, {"d": progress.days, "v": 1, "s": target}]
    province, last = progress.province, max(progress.days, progress.day)
    if province.finish is not None and province.pace and progress.day >= 1:
        # At the pace of the last days, up to the finish or to the chart's edge if it is later.
        end = min((province.finish - progress.start).days + 1, last)
        share = min(1.0, province.share_done + province.pace * (end - progress.day) / province.in_scope)
        values += [{"d": progress.day, "v": round(province.share_done, 4), "s": projection},
                   {"d": end, "v": round(share, 4), "s": projection}]
    spec = _base(260, values)
    axes = _axes(t, last)
    spec["layer"] = _layers(t, 2, points=True)
    spec["encoding"] = {**axes, **_series_encoding(t),
                        "tooltip": [{"field": "s", "title": " "}, {"field": "d", "title": t("axis_day")},
                                    {"field": "v", "title": t("axis_done"), "format": ".1%"}]}
    return spec


def small_multiples(data: ReportData, labels: dict[str, str], order: list[str], t: Text) -> Spec:
    """One small burn-up per commune (facets in `order`), each with the target line."""
    done, target = t("series_done"), t("series_target")
    by_day = [{p.commune: p for p in h.communes} for h in data.history]
    values: list[dict[str, Any]] = []
    for code in order:
        label = labels[code]
        series = _steps([(h.day, round(day[code].share_done, 4))
                         for h, day in zip(data.history, by_day) if code in day])
        values += [{"c": label, "d": d, "v": v, "s": done} for d, v in series]
        values += [{"c": label, "d": 0, "v": 0, "s": target}, {"c": label, "d": data.progress.days, "v": 1, "s": target}]
    days = max([data.progress.days, data.progress.day])
    axes = _axes(t, days)
    axes["x"]["title"] = None
    axes["y"]["title"] = None
    axes["x"]["axis"] = {"format": "d", "tickCount": 3}
    axes["y"]["axis"] = {"format": ".0%", "tickCount": 2}
    return {
        "$schema": SCHEMA, "data": {"values": values}, "columns": 5,
        "config": {"font": "sans-serif", "view": {"stroke": "#ddd"}},
        "facet": {"field": "c", "type": "nominal", "title": None, "sort": [labels[c] for c in order],
                  "header": {"labelFontSize": 10, "labelLimit": 120}},
        "spec": {"width": 105, "height": 60, "layer": _layers(t, 1.5), "encoding": {**axes, **_series_encoding(t)}},
    }


def reason_trend(data: ReportData, t: Text) -> Spec:
    """Open records per reason code on each day of the campaign."""
    values = []
    days = data.reasons.with_columns(d=(pl.col("day") - data.progress.start).dt.total_days() + 1)
    for (reason,), group in days.group_by("reason", maintain_order=True):
        series = _steps(list(zip(group["d"].to_list(), group["records"].to_list())))
        values += [{"d": d, "r": reason, "n": n} for d, n in series]
    spec = _base(220, values)
    spec["mark"] = {"type": "line", "interpolate": "step-after", "strokeWidth": 2}
    spec["encoding"] = {
        "x": {"field": "d", "type": "quantitative", "title": t("axis_day"), "axis": {"format": "d", "tickMinStep": 1},
              "scale": {"domain": [0, max(data.progress.days, data.progress.day)], "nice": False}},
        "y": {"field": "n", "type": "quantitative", "title": t("axis_records"), "axis": {"format": "d", "tickMinStep": 1}},
        "color": {"field": "r", "type": "nominal", "title": t("axis_reason"), "scale": {"scheme": "category20"}},
        "tooltip": [{"field": "r", "title": t("axis_reason")}, {"field": "d", "title": t("axis_day")},
                    {"field": "n", "title": t("axis_records")}],
    }
    return spec


def weight_histogram(model: ModelSummary, t: Text) -> Spec:
    """How many spouse links reached each match weight (bins one unit wide)."""
    spec = _base(200, [{"w": b, "w2": b + 1, "n": n} for b, n in model.weights.iter_rows()])
    spec["mark"] = {"type": "bar", "color": BLUE}
    spec["encoding"] = {
        "x": {"field": "w", "type": "quantitative", "bin": {"binned": True, "step": 1}, "title": t("axis_weight")},
        "x2": {"field": "w2"},
        "y": {"field": "n", "type": "quantitative", "title": t("axis_links")},
        "tooltip": [{"field": "w", "title": t("axis_weight")}, {"field": "n", "title": t("axis_links")}],
    }
    return spec


def level_weights(model: ModelSummary, t: Text) -> Spec:
    """The trained match weight of each comparison level: evidence for (right) or against (left)."""
    values = [{"l": f"{lv.comparison}: {lv.level}", "w": round(lv.weight, 2)} for lv in model.levels]
    spec = _base(14 * len(values), values)
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "l", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 260}},
        "x": {"field": "w", "type": "quantitative", "title": t("col_weight")},
        "color": {"condition": {"test": "datum.w >= 0", "value": GREEN}, "value": RED},
        "tooltip": [{"field": "l", "title": t("col_level")}, {"field": "w", "title": t("col_weight")}],
    }
    return spec
