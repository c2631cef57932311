"""Short forms of long text for pages: a title cut at a word boundary, with an ellipsis."""

ELLIPSIS = "…"


def ellipsis(text: object, limit: int = 80) -> str:
    """``text`` in at most ``limit`` characters, cut after a whole word and ending in “…”.

    A text that fits is returned as it is. A single word longer than the limit is cut inside
    the word (there is no boundary to cut at). Punctuation and spaces left before the cut are
    dropped, so the text never ends in ``, …``.
    """
    text = " ".join(str(text or "").split())
    if limit < 1:
        raise ValueError("ellipsis: the limit must be at least one character")
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text[: room + 1]
    boundary = cut.rfind(" ")
    cut = cut[:boundary] if boundary > 0 else text[:room]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS
