#!/bin/sh
# Build the fixed-seed demo newsroom into a fresh data directory and compare its public/ tree with a
# reference build: no output and exit 0 means readers get byte-identical files.
#
#   bench/public_diff.sh /tmp/ref          # first run: builds the reference
#   bench/public_diff.sh /tmp/ref /tmp/new # later runs: builds /tmp/new and diffs the two
#
# The seed and --now are fixed, so two builds of the same code write the same bytes (see `bulletin build`).
set -eu
BIN=${BIN:-.venv/bin}
STORIES=${STORIES:-300}
NOW=${NOW:-2026-01-19T18:30+0200}
build() {
	rm -rf "$1"
	BULLETIN_DATA_DIR="$1" "$BIN/bulletin" demo --stories "$STORIES" --now "$NOW" --quiet >/dev/null
	BULLETIN_DATA_DIR="$1" "$BIN/bulletin" build --workers 1 --quiet
}
if [ $# -eq 1 ]; then
	build "$1"
	exit 0
fi
build "$2"
# .generation holds the time of the build (the front of `bulletin serve` polls it): it always differs.
diff -r -x .generation "$1/public" "$2/public"
