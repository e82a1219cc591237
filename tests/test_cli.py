"""The `bulletin` command: flags in-process with click's runner, and one real subprocess per command."""

import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bulletin.cli import cli


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "manage"):
        assert re.search(rf"^\s+{command}\s", result.output, re.M), command


def test_serve_get_prints_a_page_and_exits_zero(db):
    result = CliRunner().invoke(cli, ["serve", "--get", "/"])
    assert result.exit_code == 0, result.output
    assert '<h1 class="page-title">News Feed</h1>' in result.output


def test_serve_get_exits_one_on_a_missing_page(db):
    result = CliRunner().invoke(cli, ["serve", "--get", "/no-such-story/"])
    assert result.exit_code == 1


def test_demo_refuses_a_database_that_has_stories(db):
    result = CliRunner().invoke(cli, ["demo", "--quiet"])
    assert result.exit_code == 1
    assert "already has stories" in result.output


@pytest.mark.parametrize("args", [["serve", "--port", "0"], ["serve", "--workers", "0"], ["demo", "--stories", "0"]])
def test_out_of_range_flags_are_refused_with_a_message(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "Invalid value" in result.output


def run_bulletin(data_dir, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BULLETIN_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *args], env=env, capture_output=True, text=True, timeout=300
    )


def newsroom_outline(data_dir):
    """Headline, section and bylines of each story, read through the real CLI (manage shell)."""
    code = (
        "from bulletin.newsroom.models import StoryPage\n"
        "for s in StoryPage.objects.order_by('feed_position'):\n"
        "    print(s.feed_position, s.title, s.section.slug, [a.slug for a in s.authors], sep='|')"
    )
    result = run_bulletin(data_dir, "manage", "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_demo_subprocess_builds_the_same_newsroom_for_the_same_seed_and_now(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for data_dir in (first, second):
        result = run_bulletin(data_dir, "demo", "--stories", "25", "--now", "2026-01-19T18:30+0200", "--quiet")
        assert result.returncode == 0, result.stderr
        assert re.search(r"user: editor\s+password: \S{12,}", result.stdout)
        # --quiet: no progress bar and none of Wagtail's "Page created" lines for the feed page and live blogs.
        assert result.stderr == "" and "Page created" not in result.stdout
    assert newsroom_outline(first) == newsroom_outline(second)
    assert len(newsroom_outline(first)) == 25 + 2  # and the demo's two live blogs

    again = run_bulletin(first, "demo", "--quiet")
    assert again.returncode == 1 and "already has stories" in again.stderr
    kept = run_bulletin(first, "demo", "--if-empty", "--quiet")
    assert kept.returncode == 0 and "keeping them" in kept.stdout and "password:" in kept.stdout
    assert len(newsroom_outline(first)) == 25 + 2

    served = run_bulletin(first, "serve", "--get", "/")
    assert served.returncode == 0 and "News Feed" in served.stdout
    # Same seed and --now: the same page, byte for byte.
    assert served.stdout == run_bulletin(second, "serve", "--get", "/").stdout
    assert re.search(r"(Dec\. \d+, 2025|Jan\. \d+, 2026), ", served.stdout)  # the timeline ends at --now
