"""Lighthouse (pinned in package.json), mobile preset, run against the real `bulletin serve` with Debian's Chromium,
offline (docs/development.md): the News Feed, a story, a section and search score at least 0.95 in each of its four
categories, and SEO 1.0.

The performance score comes from Lighthouse's simulated throttling (Lantern): it multiplies the CPU time it observed
in the browser by a slowdown (4× in the mobile preset) to estimate a mid-tier phone, and single runs on the shared,
busy test machine scored the same page differently from run to run. Two practices Lighthouse documents make it a
measurement again, without lowering the floor of 0.95:

- the slowdown is calibrated to the machine (docs/throttling.md, "Calibrating the CPU slowdown"): chosen from the
  benchmarkIndex every report records, by the points of the calculator that page links; the median benchmarkIndex
  of the module's runs so far sets the next run's slowdown (the first uses Lighthouse's default, 4×), since one
  benchmark of half a second swings from 600 to 2,100 with the machine's load. It only ever lowers the mobile
  preset's 4× (a machine slowed by its load), never raises it: on a fast, quiet machine the calculator asks for 6×,
  stricter than the score Lighthouse's mobile preset gives;
- each category of each page is judged on its median score over MEDIAN_RUNS runs (docs/variability.md: "use
  aggregate values like the median ... instead of single test results"). Lighthouse's own computeMedianRun was
  not enough: it picks a run by its first paint and time to interactive, and the noise here is in Total Blocking
  Time (one run of the search page measured 360 ms where the two others measured 20 and 50).
"""

import itertools
import json
import os
import statistics
import subprocess

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, REPO

pytestmark = pytest.mark.e2e

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"

#: (benchmarkIndex, CPU slowdown) points of the calculator Lighthouse's docs/throttling.md links
#: (lighthouse-cpu-throttling-calculator.vercel.app) for a mid-tier phone as the target: linear between them, and
#: beyond the last with the last slope. Below the first the machine is too slow to emulate that phone at all.
SLOWDOWN_POINTS = ((150, 1.0), (800, 2.0), (1300, 3.0), (1533, 4.0), (2000, 6.0))
#: The mobile preset's CPU slowdown, the score "Lighthouse on mobile" means (as PageSpeed Insights runs it). The
#: calibration lowers it on a machine slowed down by its load; it never raises it above the preset on a fast one.
DEFAULT_SLOWDOWN = 4.0
#: Runs of each page; each category's median score is judged (docs/variability.md).
MEDIAN_RUNS = 3
#: Tries of one run whose report has a runtimeError: Lighthouse could not record the page (NO_NAVSTART, "please run
#: Lighthouse again"), so there is no score to judge; a page that fails every try fails the test.
RECORDING_ATTEMPTS = 3


def slowdown_for(benchmark_index):
    """The CPU slowdown multiplier for a machine of ``benchmark_index`` (None: too slow to emulate the phone)."""
    if benchmark_index < SLOWDOWN_POINTS[0][0]:
        return None
    segments = list(itertools.pairwise(SLOWDOWN_POINTS))
    (low, low_slowdown), (high, high_slowdown) = next(
        (segment for segment in segments if benchmark_index <= segment[1][0]), segments[-1]
    )
    return low_slowdown + (benchmark_index - low) * (high_slowdown - low_slowdown) / (high - low)


def test_slowdown_follows_the_calculators_points():
    assert [slowdown_for(index) for index, _ in SLOWDOWN_POINTS] == [slowdown for _, slowdown in SLOWDOWN_POINTS]
    assert slowdown_for(1050) == 2.5 and slowdown_for(2467) == pytest.approx(8.0) and slowdown_for(100) is None


@pytest.fixture(scope="module")
def lighthouse(server, tmp_path_factory):
    """lighthouse(path) -> the JSON reports of MEDIAN_RUNS runs of all four categories on the server's page at
    ``path``, each with the CPU slowdown calibrated from the benchmarkIndex measured so far (module docstring)."""
    if not LIGHTHOUSE.exists():
        pytest.fail(f"{LIGHTHOUSE} is missing: run `npm ci` (make node_modules/.installed)")
    folder = tmp_path_factory.mktemp("lighthouse")
    benchmarks = []

    def run(path):
        reports = []
        for _ in range(MEDIAN_RUNS):
            slowdown = (
                min(round(slowdown_for(statistics.median(benchmarks)), 2), DEFAULT_SLOWDOWN)
                if benchmarks
                else DEFAULT_SLOWDOWN
            )
            for attempt in range(RECORDING_ATTEMPTS):
                report = run_once(path, slowdown, folder / f"{len(benchmarks)}-{attempt}.json")
                if report.get("runtimeError") is None:
                    break
            assert report.get("runtimeError") is None, report["runtimeError"]
            assert report["configSettings"]["throttling"]["cpuSlowdownMultiplier"] == slowdown
            benchmarks.append(report["environment"]["benchmarkIndex"])
            assert slowdown_for(statistics.median(benchmarks)), f"this machine is too slow to emulate: {benchmarks}"
            reports.append(report)
        runs = [
            f"benchmarkIndex {r['environment']['benchmarkIndex']:.0f}, "
            f"{r['configSettings']['throttling']['cpuSlowdownMultiplier']}×, "
            f"performance {r['categories']['performance']['score']}"
            for r in reports
        ]
        print(f"lighthouse {path}: {'; '.join(runs)}")
        return reports

    def run_once(path, slowdown, report):
        profile = tmp_path_factory.mktemp("chromium-profile")
        flags = " ".join(["--headless", *CHROMIUM_ARGS, f"--user-data-dir={profile}"])
        done = subprocess.run(
            [
                str(LIGHTHOUSE),
                server.url + path,
                "--quiet",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--disable-full-page-screenshot",  # a picture for the HTML report, which no score uses
                "--output=json",
                f"--output-path={report}",
                f"--chrome-flags={flags}",
                f"--throttling.cpuSlowdownMultiplier={slowdown}",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=240,
        )
        # Lighthouse exits 0 whatever the scores: the report is what counts.
        assert report.exists(), f"lighthouse failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        return json.loads(report.read_text())

    return run


CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: Every category's floor (DESIGN.md, quality bar); SEO must be perfect.
FLOOR = 0.95


def _failing(report, category):
    return {
        ref["id"]: (report["audits"][ref["id"]]["title"], report["audits"][ref["id"]].get("displayValue"))
        for ref in category["auditRefs"]
        if ref["weight"] and report["audits"][ref["id"]]["score"] not in (1, None)
    }


@pytest.mark.parametrize("page_type", ["news-feed", "story", "section", "search"])
def test_mobile_scores(lighthouse, page_paths, page_type):
    path = "/search/?q=kyiv" if page_type == "search" else page_paths[page_type]
    reports = lighthouse(path)
    excluded = set()
    for report in reports:
        assert report["configSettings"]["formFactor"] == "mobile"
        if page_type == "search":
            # Search results ask not to be indexed (robots noindex, docs/search.md), as search engines ask of
            # sites; Lighthouse counts that against SEO. Only that audit is left out of the score, for that reason.
            crawlable = report["audits"]["is-crawlable"]
            assert crawlable["score"] == 0 and "noindex" in json.dumps(crawlable["details"]), crawlable
            excluded.add("is-crawlable")
    runs = [{name: _score(report["categories"][name], report, excluded) for name in CATEGORIES} for report in reports]
    scores = {name: statistics.median(run[name] for run in runs) for name in CATEGORIES}
    low = {
        name: [_failing(report, report["categories"][name]) for report in reports]
        for name, score in scores.items()
        if score < FLOOR
    }
    assert not low, f"{path}: medians {scores} of {runs}; failing audits: {low}"
    assert scores["seo"] == 1, f"SEO on {path}: {[_failing(r, r['categories']['seo']) for r in reports]}"


def _score(category, report, excluded):
    """The category's score as Lighthouse computes it (the weighted mean of its audits), without ``excluded``."""
    if not excluded & {ref["id"] for ref in category["auditRefs"]}:
        return category["score"]
    # Audits without a score (not applicable, informative) count for nothing, as in Lighthouse.
    refs = [
        ref
        for ref in category["auditRefs"]
        if ref["weight"] and ref["id"] not in excluded and report["audits"][ref["id"]]["score"] is not None
    ]
    total = sum(ref["weight"] * report["audits"][ref["id"]]["score"] for ref in refs)
    return round(total / sum(ref["weight"] for ref in refs), 2)
