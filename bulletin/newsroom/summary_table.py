"""The table that `bulletin import` (of any kind) and `bulletin export` end with: per kind of object, a count per
column (what happened to the objects), and the reasons given for some of them (skipped, failed, a note)."""

import collections

#: The columns of an import's table.
OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")


class SummaryTable:
    def __init__(self, columns=OUTCOMES):
        self.columns = columns
        self.counts = collections.defaultdict(collections.Counter)  # kinds in the order first counted
        self.reasons = collections.Counter()

    def add(self, kind, column, count=1, reason=""):
        self.counts[kind][column] += count
        if reason:
            self.reasons[(kind, column, reason)] += count

    def note(self, kind, reason, count=1):
        """Something worth saying that is not a column (a private post that came in as a draft)."""
        self.reasons[(kind, "note", reason)] += count

    def count(self, kind, column):
        return self.counts[kind][column]

    def table(self):
        width = max([len("kind"), *(len(kind) for kind in self.counts)])
        lines = [f"{'kind':<{width}}  " + "  ".join(f"{column:>9}" for column in self.columns)]
        for kind, counts in self.counts.items():
            lines.append(f"{kind:<{width}}  " + "  ".join(f"{counts[column]:>9,}" for column in self.columns))
        for (kind, column, reason), count in sorted(self.reasons.items()):
            lines.append(f"  {kind} {column}: {count:,} — {reason}")
        return "\n".join(lines)
