"""The docs match the code: the CLI reference is the current --help, every BULLETIN_* setting is documented.

Regenerate docs/cli.md after changing a command: .venv/bin/python -m tests.test_docs
"""

import re
from pathlib import Path

from click.testing import CliRunner

from bulletin.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = ROOT / "docs" / "cli.md"


def render_cli_reference():
    """docs/cli.md: the --help of `bulletin` and of each of its commands."""
    runner = CliRunner()
    parts = [
        "# `bulletin` command reference\n\n",
        "Generated from `--help` by `python -m tests.test_docs`; `make test` fails when it is out of date.\n",
    ]
    # Each command, and each subcommand of a group (`bulletin import bulletin`, `bulletin search rebuild`).
    names = [[]]
    for name in sorted(cli.commands):
        names.append([name])
        names += [[name, sub] for sub in sorted(getattr(cli.commands[name], "commands", {}))]
    for args in names:
        output = runner.invoke(cli, [*args, "--help"], prog_name="bulletin", terminal_width=100).output
        parts.append(f"\n## bulletin {' '.join(args)}".rstrip() + "\n\n```\n" + output.rstrip() + "\n```\n")
    return "".join(parts)


def test_cli_reference_is_current():
    assert CLI_DOC.read_text() == render_cli_reference(), "run: .venv/bin/python -m tests.test_docs"


def test_every_bulletin_setting_is_documented():
    code = "\n".join(p.read_text() for p in (ROOT / "bulletin").rglob("*.py"))
    names = set(re.findall(r"\"(BULLETIN_[A-Z_]+)\"", code)) | {"DATABASE_URL"}
    documented = (ROOT / "docs" / "settings.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"document these in docs/settings.md: {missing}"


if __name__ == "__main__":
    CLI_DOC.write_text(render_cli_reference())
    print(f"wrote {CLI_DOC}")
