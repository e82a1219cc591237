"""Which content coding a client accepts: a pure function over Accept-Encoding, per RFC 9110 §12.5.3, read the way
nginx reads it. Used by the front for its precompressed files and by Django's middleware for what it compresses,
so both answer alike (Django's own GZipMiddleware takes "gzip;q=0", a refusal, for acceptance).
"""

#: The codings we keep precompressed variants for, best first when a client likes them equally.
CODINGS = ("br", "gzip")


def accepted_codings(accept_encoding):
    """``{coding: q}`` from an Accept-Encoding value (RFC 9110 §12.5.3); a malformed q counts as 0."""
    accepted = {}
    for part in accept_encoding.split(","):
        name, _, params = part.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                q = q if 0.0 <= q <= 1.0 else 0.0
        accepted[name] = q
    return accepted


def choose_coding(accept_encoding, available):
    """The coding to send (None for the file as it is) among ``available`` ones, from an Accept-Encoding value.

    The highest q wins, brotli before gzip on a tie; q=0 refuses a coding, and "*" stands for any coding not
    named. A client that refuses identity too still gets identity: nginx does the same rather than 406.
    """
    if not accept_encoding:
        return None
    accepted = accepted_codings(accept_encoding)
    star = accepted.get("*", 0.0)
    best, best_q = None, 0.0
    for coding in CODINGS:
        if coding not in available:
            continue
        q = accepted.get(coding, star)
        if q > best_q:
            best, best_q = coding, q
    identity_q = accepted.get("identity", star if "*" in accepted else 1.0)
    return best if best is not None and best_q >= identity_q else None
