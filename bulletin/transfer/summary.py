"""The table `bulletin export` and `bulletin import bulletin` print at the end: one row per kind of object."""


def table(rows):
    """``rows``: {kind: {column: count}} → aligned text, columns in first-seen order, kinds in given order."""
    columns = list(dict.fromkeys(column for counts in rows.values() for column in counts))
    width = max([len("kind"), *(len(kind) for kind in rows)])
    lines = [f"{'kind':<{width}}  " + "  ".join(f"{column:>9}" for column in columns)]
    for kind, counts in rows.items():
        lines.append(f"{kind:<{width}}  " + "  ".join(f"{counts.get(column, 0):>9,}" for column in columns))
    return "\n".join(lines)
