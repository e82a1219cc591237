"""Lighthouse (pinned in package.json) gives the News Feed, a story and an author page an SEO score of 1.0, run
against the real `bulletin serve` with Debian's Chromium, offline (docs/development.md)."""

import json
import os
import subprocess

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, REPO

pytestmark = pytest.mark.e2e

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"


@pytest.fixture(scope="module")
def lighthouse(server, tmp_path_factory):
    """lighthouse(path) -> the JSON report of an SEO run on the server's page at ``path``."""
    if not LIGHTHOUSE.exists():
        pytest.fail(f"{LIGHTHOUSE} is missing: run `npm ci` (make node_modules/.installed)")
    folder = tmp_path_factory.mktemp("lighthouse")

    def run(path):
        report = folder / f"{path.strip('/').replace('/', '_') or 'home'}.json"
        profile = tmp_path_factory.mktemp("chromium-profile")
        flags = " ".join(["--headless", *CHROMIUM_ARGS, f"--user-data-dir={profile}"])
        done = subprocess.run(
            [
                str(LIGHTHOUSE),
                server.url + path,
                "--quiet",
                "--only-categories=seo",
                "--output=json",
                f"--output-path={report}",
                f"--chrome-flags={flags}",
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


@pytest.mark.parametrize("page_type", ["news-feed", "story", "author"])
def test_seo_score_is_perfect(lighthouse, page_paths, page_type):
    report = lighthouse(page_paths[page_type])
    assert report.get("runtimeError") is None, report["runtimeError"]
    seo = report["categories"]["seo"]
    failing = {
        ref["id"]: (report["audits"][ref["id"]]["title"], report["audits"][ref["id"]].get("explanation"))
        for ref in seo["auditRefs"]
        if ref["weight"] and report["audits"][ref["id"]]["score"] not in (1, None)
    }
    assert seo["score"] == 1, f"SEO {seo['score']} on {page_paths[page_type]}; failing audits: {failing}"
