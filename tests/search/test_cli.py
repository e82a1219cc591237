"""`bulletin search rebuild`: in-process, and once as a real subprocess on a fresh demo newsroom."""

from click.testing import CliRunner

from bulletin.cli import cli
from bulletin.newsroom.models import StoryPage
from bulletin.search import index
from tests.servers import demo_copy
from tests.test_cli import run_bulletin


def test_rebuild_indexes_every_live_story(db):
    result = CliRunner().invoke(cli, ["search", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {StoryPage.objects.live().count()} stories" in result.output
    assert index.search("the").story_ids


def test_rebuild_subprocess_with_a_progress_bar(tmp_path_factory, tmp_path):
    demo_copy(tmp_path_factory, tmp_path, "--stories", "5", "--quiet")
    served = run_bulletin(tmp_path, "serve", "--get", "/search/?q=the")
    assert served.returncode == 0 and 'class="story-card"' in served.stdout  # the demo indexed what it built
    result = run_bulletin(tmp_path, "search", "rebuild")
    assert result.returncode == 0, result.stderr
    # The 5 stories and the demo's two live blogs; tqdm writes to stderr.
    assert "Indexed 7 stories" in result.stdout and "7/7" in result.stderr
