"""The `bulletin` command. Each subcommand turns its flags into one call; the work lives in the apps."""

import os
import sys
from pathlib import Path

import click


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
    import django

    from bulletin.gc_freeze import freeze_loaded_objects

    django.setup()
    freeze_loaded_objects()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bulletin")
def cli():
    """Bulletin: a newsroom publishing platform whose heart is a live News Feed."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "-w",
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="granian worker processes; each answers files, /live/ and the Django app.",
)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Publish scheduled stories from this process (run it in one server only).",
)
@click.option(
    "--get",
    "get_path",
    metavar="PATH",
    help="Send one in-process request for PATH, print the response and exit (1 unless it is a 200).",
)
def serve(host, port, workers, scheduler, get_path):
    """Serve the News Feed and the admin at http://HOST:PORT/."""
    _setup_django()
    from django.conf import settings

    from bulletin.front import server
    from bulletin.front.supervision import PortTaken
    from bulletin.newsdesk import scheduler as scheduled_publishing
    from bulletin.publishing.render import collect_static_files

    collect_static_files()
    from bulletin.publishing.publisher import Publisher, refresh_timed_files

    # Finish what a crash left in the outbox, and retry what failed, at once; without a helper process, which
    # would then idle in this one.
    replayed = Publisher(helper=False).publish_pending(retry_now=True)
    if replayed:
        click.echo(f"Published {replayed} file changes left pending in the outbox.")
    if get_path:
        from django.test import Client

        response = Client(HTTP_HOST=host).get(get_path)
        click.echo(b"".join(response).decode("utf-8", "replace") if response.streaming else response.content)
        sys.exit(0 if response.status_code == 200 else 1)

    def ready():
        if scheduler:
            scheduled_publishing.start(settings.BULLETIN_SCHEDULER_INTERVAL, also=[refresh_timed_files])
        click.echo(f"Bulletin is serving http://{host}:{port}/  (admin: http://{host}:{port}/admin/)")

    try:
        server.run(host, port, workers, on_ready=ready)
    except PortTaken as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@click.option(
    "--stories",
    default=300,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="How many stories (100,000 take about 2.5 minutes on 2 cores).",
)
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(1, 36500),
    help="Spread the stories over this many days up to now.",
)
@click.option("--seed", default=42, show_default=True, help="The same seed builds the same newsroom.")
@click.option(
    "--now",
    type=click.DateTime(["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M"]),
    help="End the demo's timeline here instead of now (same seed and --now: the same pages).",
)
@click.option("--if-empty", is_flag=True, help="Do nothing if stories exist already (used by `make run`).")
@click.option(
    "--live-blogs/--no-live-blogs",
    default=True,
    show_default=True,
    help="Add an ended and a live live blog (docs/liveblogs.md), the newest items of the News Feed.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def demo(stories, days, seed, now, if_empty, live_blogs, quiet):
    """Build the demo newsroom (generated text and images) and print the demo editor's login."""
    _setup_django()
    from django.core.management import call_command

    from bulletin.demo import builder

    call_command("migrate", interactive=False, verbosity=0)
    if quiet:
        _quiet_page_log()
    if builder.has_stories():
        if not if_empty:
            raise click.ClickException(
                "This database already has stories; use a new BULLETIN_DATA_DIR or DATABASE_URL."
            )
        click.echo("The database has stories already; keeping them.")
    else:
        if now and now.tzinfo is None:
            from django.utils import timezone

            now = timezone.make_aware(now)
        result = builder.build(
            stories=stories, days=days, seed=seed, now=now, progress=not quiet, live_blogs=live_blogs
        )
        click.echo(
            f"Built {result.stories} stories in {result.seconds:.1f} s "
            f"({result.stories / result.seconds:.0f} stories/s)."
        )
    username, password = builder.reset_demo_editor()
    click.echo(f"Admin: http://127.0.0.1:8000/admin/  user: {username}  password: {password}")


@cli.command()
@click.option(
    "--check",
    is_flag=True,
    help="Render in memory and list stale, missing and extra files in public/; "
    "exit 1 if there are any. Changes nothing.",
)
@click.option(
    "-w",
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes for rendering (default: one per CPU).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build(check, workers, quiet):
    """Render every page into public/ (BULLETIN_PUBLIC_DIR), the files readers are served."""
    _setup_django()
    import time

    from bulletin.publishing import build as site_build

    started = time.monotonic()
    if check:
        result = site_build.check(progress=not quiet)
        for label, names in (("stale", result.stale), ("missing", result.missing), ("extra", result.extra)):
            for name in names:
                click.echo(f"{label}\t{name}")
        if not result.ok:
            raise click.ClickException(
                f"public/ is out of date: {len(result.stale)} stale, {len(result.missing)} "
                f"missing, {len(result.extra)} extra files."
            )
        click.echo("public/ matches the database.")
        return
    from bulletin.publishing.render import collect_static_files

    collect_static_files()
    result = site_build.build(workers=workers, progress=not quiet)
    seconds = time.monotonic() - started
    click.echo(
        f"Rendered {result.pages} pages in {seconds:.1f} s ({result.pages / seconds:.0f} pages/s): "
        f"{result.changed} files changed, {result.removed} removed."
    )


@cli.group()
def search():
    """The search index of published stories (docs/search.md)."""


@search.command()
@click.option("--quiet", is_flag=True, help="No progress bar.")
def rebuild(quiet):
    """Index every published story again, in one transaction (readers keep the old index meanwhile)."""
    _setup_django()
    import time

    from django.core.management import call_command
    from tqdm import tqdm

    from bulletin.newsroom.models import StoryPage
    from bulletin.search import index

    call_command("migrate", interactive=False, verbosity=0)  # a database from before search has no index table yet
    started = time.monotonic()
    with tqdm(total=StoryPage.objects.live().count(), unit="story", disable=quiet) as bar:
        count = index.rebuild(progress=bar.update)
    click.echo(f"Indexed {count} stories in {time.monotonic() - started:.1f} s ({index.index_size() / 1e6:.1f} MB).")


@cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def export_newsroom(directory, quiet):
    """Write the whole newsroom into DIRECTORY (a new folder): JSON and the original files (docs/exporting.md)."""
    _setup_django()
    from django.core.management import call_command
    from tqdm import tqdm

    from bulletin.newsroom.summary_table import SummaryTable
    from bulletin.transfer import exporter
    from bulletin.transfer.format import ExportFileError

    call_command("migrate", interactive=False, verbosity=0)
    try:
        with tqdm(total=exporter.record_count(), unit="record", disable=quiet) as bar:
            counts = exporter.export_newsroom(directory, progress=bar.update)
    except ExportFileError as error:
        raise click.ClickException(str(error)) from None
    table = SummaryTable(columns=("exported",))
    for kind, count in counts.items():
        table.add(kind, "exported", count)
    click.echo(table.table())
    click.echo(f"Exported to {directory}.")


@cli.group("import")
def import_():
    """Move a newsroom in from another system: `bulletin import KIND EXPORT` (docs/importing.md)."""


def _import_options(command):
    """The options every kind of import takes."""
    options = [
        click.option(
            "--media",
            type=click.Path(exists=True, path_type=Path),
            help="A folder laid out as the export's image URLs, or the export's zip; else images are downloaded.",
        ),
        click.option("--dry-run", is_flag=True, help="Read everything and report the same table; write nothing."),
        click.option(
            "--allow-host",
            "allowed_hosts",
            multiple=True,
            metavar="HOST",
            help="Also download images from HOST (the old site's own host is allowed).",
        ),
        click.option(
            "--allow-private-addresses",
            is_flag=True,
            help="Allow downloads from private and loopback addresses (for tests; never on a public server).",
        ),
        click.option("--no-images", is_flag=True, help="Leave images out (neither --media nor downloads)."),
        click.option("--no-build", is_flag=True, help="Do not render public/ again afterwards; say what to run."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _quiet_page_log():
    """Wagtail logs each page it creates, unpublishes or deletes at INFO (the News Feed page, the demo's live blogs):
    with --quiet a command prints its own result only. Warnings and errors still show."""
    import logging

    logging.getLogger("wagtail").setLevel(logging.WARNING)


def _run_import(kind, export, media, dry_run, allowed_hosts, allow_private_addresses, no_images, no_build, quiet):
    _setup_django()
    if quiet:
        _quiet_page_log()
    import importlib

    from django.conf import settings
    from django.core.management import call_command

    from bulletin.imports import loader
    from bulletin.imports.media import MediaSource
    from bulletin.imports.records import ExportError

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)  # a new database is created here
    try:
        # The site's own host is allowed for downloads once the reader has named it (loader.Loader.run).
        # A dry run fetches no image: a saved image is a file written, which no rollback takes back.
        source = None if no_images or dry_run else MediaSource(media, "", allowed_hosts, allow_private_addresses)
        summary = loader.Loader(loader.Options(media=source, dry_run=dry_run, progress=not quiet)).run(
            importlib.import_module(f"bulletin.imports.{kind}").read(export)
        )
    except (ExportError, ValueError) as error:
        raise click.ClickException(f"{error}\nNothing was imported: the newsroom is as it was.") from None
    click.echo(summary.table())
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    from bulletin.publishing import redirect_map
    from bulletin.publishing.publisher import Publisher

    redirect_map.write(Publisher().storage)  # the old URLs, answered by `bulletin serve` at once
    public = settings.BULLETIN_PUBLIC_DIR
    if not (public / "index.html").exists():
        click.echo("Run `bulletin build` to render the imported stories into public/.")
    elif no_build:
        click.echo("public/ is out of date: run `bulletin build` (imported stories moved archive pages).")
    else:
        from bulletin.publishing import build as site_build

        result = site_build.build(progress=not quiet)
        click.echo(f"Rendered public/ again: {result.changed} files changed, {result.removed} removed.")
    click.echo("Behind nginx: reload it (`nginx -s reload`) so it serves the new redirects.")


@import_.command("wordpress")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_import_options
def import_wordpress(export, **options):
    """Import a WordPress export (WXR 1.0–1.2, Tools → Export)."""
    _run_import("wordpress", export, **options)


@import_.command("ghost")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_import_options
def import_ghost(export, **options):
    """Import a Ghost export (Ghost 2–6, Settings → Import/Export → Export content)."""
    _run_import("ghost", export, **options)


# `bulletin import bulletin DIR` (Bulletin's own export, `bulletin export`) joins these as a third kind.


@import_.command("bulletin")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("--dry-run", is_flag=True, help="Read and check everything, report what would be created, write nothing.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_bulletin(directory, dry_run, quiet):
    """Load a `bulletin export` folder into an empty newsroom, all or nothing; then run `bulletin build`."""
    _setup_django()
    if quiet:
        _quiet_page_log()
    from django.core.management import call_command
    from tqdm import tqdm

    from bulletin.transfer import importer
    from bulletin.transfer.format import ExportFileError, read_manifest

    call_command("migrate", interactive=False, verbosity=0)  # creates the database if there is none
    try:
        with tqdm(total=sum(read_manifest(directory)["records"].values()), unit="record", disable=quiet) as bar:
            result = importer.import_newsroom(directory, dry_run=dry_run, progress=bar.update)
    except (ExportFileError, importer.NewsroomNotEmpty) as error:
        raise click.ClickException(f"{error}\nNothing was imported; the newsroom is as it was.") from None
    click.echo(result.table())
    click.echo("Dry run: nothing was written." if dry_run else "Imported. Run `bulletin build` to render public/.")


@cli.command("nginx-config")
@click.option("--listen", default="80", show_default=True, help="What nginx listens on (port or address:port).")
@click.option("--upstream", default="127.0.0.1:8000", show_default=True, help="Where `bulletin serve` listens.")
@click.option("--server-name", default="_", show_default=True, help="The site's host names.")
def nginx_config(listen, upstream, server_name):
    """Print an nginx server block that serves public/ and media/ and proxies the rest to `bulletin serve`."""
    _setup_django()
    from django.conf import settings

    from bulletin.web.nginx import render_config

    click.echo(
        render_config(
            settings.BULLETIN_PUBLIC_DIR, settings.MEDIA_ROOT, upstream=upstream, listen=listen, server_name=server_name
        ),
        nl=False,
    )


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args):
    """Run a Django management command (migrate, createsuperuser, publish_scheduled…)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bulletin manage", *args])


def main():
    try:
        cli(prog_name="bulletin")
    finally:
        # A command that published (a shell, the demo, an import) lets its background publisher finish first. Not
        # imported here when unused: most commands never load Django's models.
        publisher = sys.modules.get("bulletin.publishing.publisher")
        if publisher is not None:
            publisher.finish_background_publishing()
