"""The export format (docs/exporting.md): what a Bulletin export folder holds and how its records are read.

A folder holds ``newsroom.jsonl`` (one JSON object a line, each with a ``type``, in the order of RECORD_TYPES),
the original files under ``media/`` as MEDIA_ROOT lays them out, and ``manifest.json``, written last, with the
format's name and version and how many records of each type the export holds. JSON Lines, so that both sides
stream: neither writing nor reading holds more than one batch of stories in memory.
"""

import datetime
import json
from pathlib import Path

FORMAT = "bulletin-export"
#: Raise it when a change would make an older Bulletin read an export wrongly; import refuses other versions.
#: Version 2 added embeds, live blogs (a story record's ``live_blog``) and their entries; version 3 the
#: breaking-news banner (a ``breaking_news`` record) and a story's ``canonical_url``.
FORMAT_VERSION = 3
#: The versions import reads: older records are brought to the current version by ``upgrade``.
READABLE_VERSIONS = (1, 2, 3)
RECORDS_FILE = "newsroom.jsonl"
MANIFEST_FILE = "manifest.json"
MEDIA_FOLDER = "media"

#: Every record type, in the order they appear in newsroom.jsonl: each refers only to records before it (an
#: author to its avatar image, a story to its section, tags, authors and images, a site to its root page…).
RECORD_TYPES = (
    "publication",
    "breaking_news",
    "image",
    "document",
    "embed",
    "section",
    "tag",
    "author",
    "news_feed_page",
    "site",
    "story",
    "live_blog_entry",
    "redirect",
    "gone_url",
    "live_event",
    "counter",
)


class ExportFileError(Exception):
    """An export folder that cannot be imported: says which file, line and item, and why."""


def datetime_to_json(value):
    """Full precision with the offset, so an imported time is the stored one to the microsecond
    (DjangoJSONEncoder would cut microseconds to milliseconds)."""
    return value.isoformat() if value is not None else None


def datetime_from_json(value):
    if value is None:
        return None
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"the time {value!r} has no UTC offset")
    return parsed


def upgrade(record, version):
    """``record``, read from an export of format ``version``, as the current version has it. A version 1 export is
    a version 2 one without embeds and live blogs; versions 1 and 2 have no breaking_news record (the banner stays
    down) and no canonical URL on stories (their own address is canonical)."""
    if version < 3 and record["type"] == "story":
        record.setdefault("canonical_url", "")
    return record


def encode_record(record):
    """One line of newsroom.jsonl."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def read_manifest(folder):
    """The manifest of an export folder, checked: its format, its version, its record counts."""
    path = Path(folder) / MANIFEST_FILE
    if not Path(folder).is_dir():
        raise ExportFileError(f"{folder} is not a folder.")
    if not path.exists():
        raise ExportFileError(f"{path} is missing: this is not a Bulletin export, or the export did not finish.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ExportFileError(f"{path} is not valid JSON ({error}): the file is damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportFileError(f"{path} does not describe a Bulletin export (its format is not {FORMAT!r}).")
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ExportFileError(
            f"{path} has format_version {version!r}; this Bulletin reads format_version "
            f"{' or '.join(map(str, READABLE_VERSIONS))} only."
        )
    counts = manifest.get("records")
    if not isinstance(counts, dict) or not all(
        name in RECORD_TYPES and isinstance(count, int) and count >= 0 for name, count in counts.items()
    ):
        raise ExportFileError(f"{path}: 'records' must map record types to counts.")
    return manifest


def read_records(folder, expected_counts):
    """Yield (line number, record) from newsroom.jsonl, one line at a time, checking each line's JSON, type and
    order, and at the end that the file held as many records of each type as the manifest says (a file cut
    at a line boundary is still a truncated file)."""
    path = Path(folder) / RECORDS_FILE
    if not path.exists():
        raise ExportFileError(f"{path} is missing.")
    seen = dict.fromkeys(RECORD_TYPES, 0)
    rank = 0
    with path.open(encoding="utf-8", newline="\n") as lines:
        number = 0
        try:
            for number, line in enumerate(lines, start=1):  # noqa: B007 (number is read after the loop)
                if not line.endswith("\n"):
                    raise ExportFileError(f"{path}, line {number}: the line is cut short: the file is truncated.")
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise ExportFileError(f"{path}, line {number}: not valid JSON ({error}).") from None
                kind = record.get("type") if isinstance(record, dict) else None
                if kind not in RECORD_TYPES:
                    raise ExportFileError(f"{path}, line {number}: unknown record type {kind!r}.")
                if RECORD_TYPES.index(kind) < rank:
                    raise ExportFileError(
                        f"{path}, line {number}: a {kind} record after {RECORD_TYPES[rank]} records; "
                        f"records must come in this order: {', '.join(RECORD_TYPES)}."
                    )
                rank = RECORD_TYPES.index(kind)
                seen[kind] += 1
                yield number, record
        except UnicodeDecodeError as error:
            raise ExportFileError(f"{path}, after line {number}: not UTF-8 ({error}).") from None
    for kind in RECORD_TYPES:
        if seen[kind] != expected_counts.get(kind, 0):
            raise ExportFileError(
                f"{path} holds {seen[kind]} {kind} records but {MANIFEST_FILE} says {expected_counts.get(kind, 0)}:"
                " the file is truncated or was changed."
            )
