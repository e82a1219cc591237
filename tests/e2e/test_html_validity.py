"""The Nu HTML checker (vnu-jar, pinned in package.json) finds no errors on any page type.

vnu refuses loopback URLs, so the HTML is fetched over HTTP first and all pages are checked in one JVM run."""

import json
import subprocess

import pytest

from .conftest import PAGE_TYPES, REPO

pytestmark = pytest.mark.e2e

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: The widget is a fragment; it is checked wrapped in a minimal document so its own markup is validated too.
WRAPPER = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Widget</title></head>'
    '<body><aside aria-label="News Feed">{}</aside></body></html>'
)


@pytest.fixture(scope="module")
def vnu_errors(server, page_paths, tmp_path_factory):
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run `npm ci` (make node_modules/.installed)")
    folder = tmp_path_factory.mktemp("vnu")
    files = {}
    for page_type, path in page_paths.items():
        files[page_type] = folder / f"{page_type}.html"
        files[page_type].write_text(server.html(path), encoding="utf-8")
    files["feed-widget"] = folder / "feed-widget.html"
    files["feed-widget"].write_text(WRAPPER.format(server.html("/feed/widget/")), encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=180,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    errors = {page_type: [] for page_type in files}
    by_name = {f.name: page_type for page_type, f in files.items()}
    for message in messages:
        name = message.get("url", "").rsplit("/", 1)[-1]
        errors[by_name.get(name, "unknown")].append(message)
    return errors


@pytest.mark.parametrize("page_type", [*PAGE_TYPES, "feed-widget", "sections-index", "authors-index"])
def test_no_html_errors(vnu_errors, page_paths, page_type):
    errors = [
        f"{m.get('lastLine')}:{m.get('firstColumn')}: {m['message']} | {m.get('extract', '').strip()}"
        for m in vnu_errors[page_type]
    ]
    assert errors == [], f"Nu checker errors on {page_paths.get(page_type, '/feed/widget/')}:\n" + "\n".join(errors)
    assert vnu_errors.get("unknown", []) == []
