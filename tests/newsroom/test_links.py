"""Links that come from a story's content are written only with a web or mail scheme (newsroom_links.link_url)."""

import pytest

from bulletin.newsroom.templatetags.newsroom_links import link_url


@pytest.mark.parametrize(
    "url", ["https://example.org/report", "http://example.org/", "mailto:desk@example.org", "  HTTPS://example.org/ "]
)
def test_web_and_mail_links_are_kept(url):
    assert link_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "/relative/path",
        "//example.org/",
        "",
        None,
        "http://[::1",
    ],
)
def test_other_links_are_left_out(url):
    assert link_url(url) == ""
