"""The table an import ends with: per kind of object, how many were created, updated, unchanged, skipped and
failed, and the reasons for the last two (and for posts that came in as drafts)."""

import collections

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")


class Summary:
    def __init__(self):
        self.counts = collections.defaultdict(collections.Counter)
        self.reasons = collections.Counter()

    def add(self, kind, outcome, count=1, reason=""):
        self.counts[kind][outcome] += count
        if reason:
            self.reasons[(kind, outcome, reason)] += count

    def note(self, kind, reason, count=1):
        """Something worth saying that is not an outcome (a private post that came in as a draft)."""
        self.reasons[(kind, "note", reason)] += count

    def count(self, kind, outcome):
        return self.counts[kind][outcome]

    def table(self):
        kinds = sorted(self.counts)
        width = max([len("kind"), *(len(kind) for kind in kinds)])
        lines = [f"{'kind':<{width}}  " + "  ".join(f"{outcome:>9}" for outcome in OUTCOMES)]
        for kind in kinds:
            lines.append(f"{kind:<{width}}  " + "  ".join(f"{self.counts[kind][o]:>9,}" for o in OUTCOMES))
        for (kind, outcome, reason), count in sorted(self.reasons.items()):
            lines.append(f"  {kind} {outcome}: {count:,} — {reason}")
        return "\n".join(lines)
