"""`reconcile report`: the supervisor's HTML report of a scripted multi-day campaign, opened in a
real headless Chromium (the Debian package; `make test` installs it): it loads with no request
leaving the file, no console error, every chart drawn, the league table right and sortable, A4
print; it holds no ID number and no name of any person; Vietnamese and English; one commune."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from conftest import DAY_ONE, Cli
from reconcile.normalize.communes import current_communes
from reconcile.report import campaign_progress
from reconcile.report.gather import OUTSIDE
from reconcile.link.scripts import chart_scripts
from reconcile.report.progress import COUNTS
from reconcile.ruleset import load_rules
from reconcile.store import Store, find_campaign

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1280,1000")
START = date.fromisoformat(DAY_ONE)
TODAY = START + timedelta(days=9)  # day 10: decisions on days 2 to 8, nothing on days 9 and 10
CHARTS = {"burnup", "multiples", "reasons", "weights", "levels"}


def _on(day: int) -> dict[str, str]:
    """That day, with the command line in its default language (Vietnamese): the report follows it."""
    return {"RECONCILE_TODAY": (START + timedelta(days=day - 1)).isoformat(), "RECONCILE_LANG": ""}


@dataclass(frozen=True)
class Reports:
    campaign: Path
    vi: Path
    en: Path
    commune: Path
    commune_code: str
    decisions: int  # the records the officers decided (none deferred)


@pytest.fixture(scope="module")
def reports(sample_campaign: Path, cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """The sample campaign worked for a week (officers decide conflicts in several communes, one
    commune is run again), then reported on day 10 in Vietnamese, English and for one commune."""
    folder = tmp_path_factory.mktemp("report") / "campaign"
    shutil.copytree(sample_campaign, folder)
    camp = ("--campaign", folder)
    cli("export", "results", "--out", folder.parent / "day1.csv", *camp, env=_on(1))
    day1 = pl.read_csv(folder.parent / "day1.csv", infer_schema=False)
    conflicts = day1.filter(pl.col("bucket") == "conflict").sort("commune", "record_id")
    busiest = conflicts.group_by("commune").len().sort("len", "commune", descending=True)["commune"].to_list()
    picked = pl.concat([conflicts.filter(pl.col("commune") == c).head(4 if i == 0 else 1) for i, c in enumerate(busiest[:4])])
    for day, record in enumerate(picked.iter_rows(named=True), start=2):
        linked = record["husband_person_id"] and record["wife_person_id"]
        verdict = ["--accept", record["husband_person_id"], "--accept", record["wife_person_id"]] if linked else ["--reject"]
        cli("decide", record["record_id"], *verdict, "--note", "checked the book", "--by", "Hoa", *camp, env=_on(day))
    cli("run", "--commune", busiest[1], *camp, env=_on(5))
    out = folder.parent
    cli("report", "--out", out / "vi.html", *camp, env=_on(10))
    cli("report", "--out", out / "en.html", "--lang", "en", *camp, env=_on(10))
    cli("report", "--out", out / "commune.html", "--commune", busiest[0], "--lang", "en", *camp, env=_on(10))
    return Reports(folder, out / "vi.html", out / "en.html", out / "commune.html", busiest[0], picked.height)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass(frozen=True)
class Opened:
    requests: list[str]
    console: list[dict[str, object]]


def _open(driver: webdriver.Chrome, page: Path) -> Opened:
    """Load the page with every network request recorded (and any to a network blocked), and wait
    until its script says every chart is drawn or failed."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]})
    time.sleep(0.5)  # the browser's own start-up pages finish loading
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while driver.execute_script("return document.body.getAttribute('data-charts')") != "done":
        assert time.monotonic() < deadline, "the charts were not drawn within 60 s"
        time.sleep(0.1)
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    requests = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    return Opened(requests, driver.get_log("browser"))


def _league(driver: webdriver.Chrome) -> dict[str, dict[str, str]]:
    """Each league row's sort values (the exact numbers) by commune code, in the page's order."""
    rows = driver.execute_script("""return Array.from(document.querySelectorAll("#league tbody tr")).map(
        row => [row.dataset.commune, Object.fromEntries(Array.from(row.cells).map(c => [c.dataset.key, c.dataset.sort]))]);""")
    return dict((code, cells) for code, cells in rows)


@pytest.mark.slow
def test_the_report_opens_offline_in_chromium_with_every_chart_and_the_right_numbers(
        reports: Reports, browser: webdriver.Chrome, tmp_path: Path) -> None:
    opened = _open(browser, reports.vi)
    assert opened.requests == [reports.vi.as_uri()]  # the file itself, nothing else
    assert [e for e in opened.console if e["level"] in ("SEVERE", "WARNING")] == []

    boxes = browser.find_elements(By.CSS_SELECTOR, "[data-chart]")
    assert {b.get_attribute("id").removeprefix("chart-") for b in boxes} == CHARTS
    for box in boxes:
        svg = box.find_element(By.CSS_SELECTOR, "svg")
        assert box.get_attribute("data-drawn") == "yes" and svg.size["width"] > 100 and svg.size["height"] > 50
        assert box.find_elements(By.CSS_SELECTOR, "g.mark-line path, g.mark-rect path"), box.get_attribute("id")

    campaign = find_campaign(reports.campaign)
    with Store(campaign.database, read_only=True) as store:
        progress = campaign_progress(store.results.snapshots(), campaign.start, campaign.days, TODAY)
        results = store.results.current().filter(pl.col("bucket") != "rejected")
        decided = store.frame("SELECT count(DISTINCT record_id) FROM decisions WHERE verdict <> 'defer'").item()
    # The province's communes one by one (in code order), those of other provinces as one row.
    inside = set(current_communes().filter(pl.col("province_code") == campaign.province)["code"].to_list()) | {""}
    outside = [p for p in progress.communes if p.commune not in inside]
    expected = {p.commune: p for p in progress.communes if p.commune in inside}
    league = _league(browser)
    assert len(outside) > 5 and list(league) == [*sorted(expected), OUTSIDE]
    for code, row in league.items():
        group = [expected[code]] if code != OUTSIDE else outside
        assert [int(row[k]) for k in COUNTS] == [sum(getattr(p, k) for p in group) for k in COUNTS]
        assert float(row["share_done"]) == pytest.approx(sum(p.done for p in group) / sum(p.in_scope for p in group))
        assert float(row["pace"]) == pytest.approx(sum(p.pace for p in group))
    # One small multiple per row, each with its line drawn.
    lines = browser.find_elements(By.CSS_SELECTOR, "#chart-multiples g.child_layer_0_marks path")
    titles = browser.find_elements(By.CSS_SELECTOR, "#chart-multiples g.role-title-text text")
    assert len(lines) == len(titles) == len(league) > 20
    assert all(line.get_attribute("d") for line in lines)
    # The counts are the campaign's own: every worked record once, every decision counted.
    province = progress.province
    assert province.in_scope == results.height and province.decided == decided == reports.decisions >= 5
    assert province.auto_resolved == results.filter((pl.col("bucket") == "auto_resolve")
                                                    & pl.col("decision_status").is_null()).height
    total = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#league tfoot td")]
    assert total[1:4] == [f"{province.in_scope:,}".replace(",", "."), f"{province.auto_resolved:,}".replace(",", "."),
                          str(province.decided)]
    headline = browser.find_element(By.ID, "headline").text
    assert "Ngày 10/90" in headline and f"{province.done:,}".replace(",", ".") in headline

    # Sorting in the page: by % done, then the other way.
    heading = browser.find_elements(By.CSS_SELECTOR, "#league thead th")[7]
    heading.click()
    shares = [float(v["share_done"]) for v in _league(browser).values()]
    assert shares == sorted(shares) and shares != sorted(shares, reverse=True)
    heading.click()
    assert [float(v["share_done"]) for v in _league(browser).values()] == sorted(shares, reverse=True)

    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
    # Printed: A4 pages (595 × 842 points).
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert len(sizes) == 1 and [round(float(v)) for v in sizes.pop()] == [595, 842]
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) > 2


@pytest.mark.slow
def test_the_english_and_the_one_commune_reports_open_too(reports: Reports, browser: webdriver.Chrome) -> None:
    for page, charts in ((reports.en, CHARTS), (reports.commune, CHARTS - {"multiples"})):
        opened = _open(browser, page)
        assert opened.requests == [page.as_uri()]
        assert [e for e in opened.console if e["level"] in ("SEVERE", "WARNING")] == []
        drawn = browser.find_elements(By.CSS_SELECTOR, "[data-chart][data-drawn=yes] svg")
        assert len(drawn) == len(charts)
    assert list(_league(browser)) == [reports.commune_code]


def test_no_id_number_and_no_name_of_any_person(reports: Reports) -> None:
    campaign = find_campaign(reports.campaign)
    with Store(campaign.database, read_only=True) as store:
        persons = store.table("persons")
        spouses = store.table("spouses")
    ids = set(persons["person_id"].to_list()) | set(spouses["id_number"].drop_nulls().to_list()) \
        | set(persons["id9"].drop_nulls().to_list()) | set(persons["spouse_id"].drop_nulls().to_list())
    names = {n for column in (persons["full_name"], persons["full_name_raw"], persons["spouse_name"],
                              spouses["full_name"], spouses["full_name_raw"]) for n in column.drop_nulls().to_list()}
    assert len(ids) > 1000 and len(names) > 1000
    any_name = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    for page in (reports.vi, reports.en, reports.commune):
        html = page.read_text(encoding="utf-8")
        assert not ids & set(re.findall(r"\d+", html))
        assert any_name.search(html) is None
        # Apart from the chart libraries' own constants, not one 12-digit number at all.
        ours = html
        for script in chart_scripts():
            ours = ours.replace(script, "")
        assert len(ours) < len(html) - 800_000
        assert re.search(r"(?<!\d)\d{12}(?!\d)", ours) is None


def test_vietnamese_by_default_english_on_request(reports: Reports) -> None:
    vi, en = reports.vi.read_text(encoding="utf-8"), reports.en.read_text(encoding="utf-8")
    assert '<html lang="vi">' in vi and "báo cáo tiến độ" in vi and "Ngày 10/90" in vi and "progress report" not in vi
    assert '<html lang="en">' in en and "progress report" in en and "Day 10 of 90" in en and "báo cáo tiến độ" not in en
    # Reason texts from the campaign's catalogue, numbers written the language's way.
    assert "Chưa đủ căn cứ" in vi and "Not enough evidence" in en
    share = re.search(r'data-key="share_done" data-sort="([\d.]+)">([^<]+)<', en)
    assert share and share.group(2) == f"{float(share.group(1)):.1%}"
    assert re.search(r'data-key="share_done" data-sort="[\d.]+">\d+,\d%<', vi)


def test_one_commune_and_an_unknown_commune(reports: Reports, cli: Cli) -> None:
    page = reports.commune.read_text(encoding="utf-8")
    assert page.count("<tr data-commune=") == 1 and f'<tr data-commune="{reports.commune_code}"' in page
    assert f"({reports.commune_code})" in page.split("</header>")[0]
    out = cli("report", "--out", reports.vi.parent / "x.html", "--commune", "99999", "--campaign", reports.campaign,
              code=1).output
    assert "commune 99999 has no progress" in out and not (reports.vi.parent / "x.html").exists()
    cli("report", "--out", reports.vi.parent / "x.html", "--lang", "fr", "--campaign", reports.campaign, code=1)
    log = cli("log", "--campaign", reports.campaign).output
    assert "report (en, commune" in log and "report (vi)" in log


def test_the_browser_check_catches_a_page_that_reaches_out(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """The check above can fail: a page that asks a server for an image and logs an error is seen."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html><body data-charts="done"><img src="http://127.0.0.1:9/x.png">'
                    '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    opened = _open(browser, page)
    assert opened.requests == [page.as_uri(), "http://127.0.0.1:9/x.png"]
    assert any(e["level"] == "SEVERE" and "boom" in str(e["message"]) for e in opened.console)


def test_before_the_start_and_after_the_end(reports: Reports, cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    cli("init", empty, "--start", "2025-07-01")
    cli("report", "--out", tmp_path / "empty.html", "--lang", "en", "--campaign", empty, env=_on(1))
    page = (tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "Starts on 2025-07-01" in page and "No progress recorded yet" in page and "No data ingested." in page
    assert "No trained model yet." in page and "data-chart=" not in page
    cli("report", "--out", tmp_path / "late.html", "--campaign", reports.campaign, env=_on(95))
    page = (tmp_path / "late.html").read_text(encoding="utf-8")
    assert "Đã kết thúc ngày 28/08/2025 (ngày thứ 95)" in page and "7 ngày chưa tiến triển" in page


def _open_reasons(results: pl.DataFrame, campaign: Path) -> dict[str, int]:
    """Open conflicts and missing records per reason that sends a record there, counted by hand."""
    catalogue = load_rules(campaign / "rules").reasons
    open_ = results.filter(pl.col("bucket").is_in(["conflict", "missing"])
                           & ~pl.col("decision_status").is_in(["decided", "needs_recheck"]).fill_null(False))
    counts: dict[str, int] = {}
    for bucket, reasons in open_.select("bucket", "reasons").iter_rows():
        for code in reasons.split(";"):
            if catalogue[code].bucket == bucket:
                counts[code] = counts.get(code, 0) + 1
    return counts


def test_open_records_by_reason_today_and_a_week_ago(reports: Reports) -> None:
    campaign = find_campaign(reports.campaign)
    with Store(campaign.database, read_only=True) as store:
        results = store.results.current()
        early = store.frame("SELECT record_id FROM decisions WHERE day <= ?", [TODAY - timedelta(days=7)])["record_id"]
    page = reports.vi.read_text(encoding="utf-8")

    def column(key: str) -> dict[str, int]:
        return {code: int(n) for code, n in re.findall(
            rf'<tr data-reason="(\w+)">.*?data-key="{key}" data-sort="(\d+)"', page, re.S)}

    now = _open_reasons(results, reports.campaign)
    assert column("now") == now and len(now) > 5
    # A week before day 10 (day 3), only the decisions of days 2 and 3 had been taken.
    then = results.with_columns(decision_status=pl.when(pl.col("record_id").is_in(early.implode()))
                                .then(pl.lit("decided")).otherwise(pl.lit(None, pl.String)))
    assert 0 < early.len() < 7 and column("before") == _open_reasons(then, reports.campaign) != now


def test_a_campaign_made_before_the_reason_trend_gets_todays_reasons(cli: Cli, campaign_copy: Path,
                                                                     tmp_path: Path) -> None:
    database = find_campaign(campaign_copy).database
    with duckdb.connect(str(database)) as con:  # as a schema-2 build left it
        con.execute("DROP TABLE snapshot_reasons; UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    cli("report", "--out", tmp_path / "r.html", "--lang", "en", "--campaign", campaign_copy, env=_on(1))
    with Store(database, read_only=True) as store:
        now = _open_reasons(store.results.current(), campaign_copy)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr data-reason="(\w+)">.*?data-key="now" data-sort="(\d+)"', page, re.S))
    assert {code: int(n) for code, n in rows.items()} == now and len(now) > 5


def test_the_model_panel_counts_the_marriages_judged_as_couples(reports: Reports) -> None:
    campaign = find_campaign(reports.campaign)
    with Store(campaign.database, read_only=True) as store:
        current = store.results.current().filter((pl.col("record_type") == "marriage") & (pl.col("bucket") != "rejected"))
        links = store.frame("SELECT s.registration_id AS record_id, k.run_id, k.couple_weight, k.couple_recorded, "
                            "k.couple_lead FROM links k JOIN spouses s USING (unique_id)")
    marriages = links.join(current.select("record_id", "run_id"), on=["record_id", "run_id"]).group_by("record_id").agg(
        couple=pl.col("couple_weight").is_not_null().any(), recorded=pl.col("couple_recorded").drop_nulls().first(),
        lead=pl.col("couple_lead").drop_nulls().first())
    couples = marriages.filter(pl.col("couple"))
    page = reports.en.read_text(encoding="utf-8")
    note = re.search(r'id="couples-note" data-couples="(\d+)" data-marriages="(\d+)"', page)
    assert note is not None and (int(note[1]), int(note[2])) == (couples.height, current.height) and couples.height > 100
    assert f"{couples.height:,} of the {current.height:,} marriages in the latest runs" in page

    def rows(kind: str) -> dict[str, int]:
        return {key: int(n) for key, n in re.findall(rf'<tr data-{kind}="(\w+)"><td>[^<]*</td><td data-sort="(\d+)">',
                                                      page)}

    recorded = couples["recorded"].fill_null("none").value_counts()
    assert rows("recorded") == {"id": 0, "both_ways": 0, "name": 0, "none": 0} | dict(recorded.rows())
    leads = couples["lead"].drop_nulls().to_list()
    bins = {"below_0": (-math.inf, 0), "0_4": (0, 4), "4_8": (4, 8), "8_16": (8, 16), "16_32": (16, 32),
            "32_64": (32, 64), "above_64": (64, math.inf)}
    expected = {key: sum(low <= lead < high for lead in leads) for key, (low, high) in bins.items()}
    assert rows("lead") == expected | {"none": couples.height - len(leads)}
    # The Vietnamese report counts the same.
    assert 'data-recorded="id"><td>Theo số định danh' in reports.vi.read_text(encoding="utf-8")


def test_on_the_first_day_a_point_and_no_projected_finish(sample_campaign: Path, cli: Cli, tmp_path: Path,
                                                          browser: webdriver.Chrome) -> None:
    # The sample campaign ran on day 1 only: its one figure is drawn as a point, and the headline
    # says in words that no finish is projected yet (not "no progress in 7 days").
    for lang, wording, stalled in (("en", "none yet: a finish is projected after 2 days of work", "no progress in"),
                                   ("vi", "chưa dự kiến: cần 2 ngày làm việc để tính tiến độ", "chưa tiến triển")):
        page = tmp_path / f"day1-{lang}.html"
        cli("report", "--out", page, "--lang", lang, "--campaign", sample_campaign, env=_on(1))
        text = page.read_text(encoding="utf-8")
        assert wording in text and stalled not in text
    # The Vietnamese page, last: its burn-up has one done value, on day 1, and no projection.
    spec = json.loads(re.search(r'id="spec-burnup">(.*?)</script>', text, re.S).group(1))
    series = [(v["s"], v["d"]) for v in spec["data"]["values"]]
    assert [d for s, d in series if s == "đã xử lý"] == [1] and not [d for s, d in series if s == "dự báo"]
    opened = _open(browser, page)
    assert not [e for e in opened.console if e.get("level") == "SEVERE"]
    points = browser.find_elements(By.CSS_SELECTOR, "#chart-burnup g.mark-symbol.role-mark path")
    assert len(points) == 1 and points[0].size["width"] > 0
