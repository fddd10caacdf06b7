"""Text folding shared by the search columns and the queries that search them."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case-fold, strip accents and collapse white space, so that search is forgiving."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", plain.casefold()).strip()


def search_terms(query: str, *, limit: int = 8) -> list[str]:
    """The words of a search box entry, folded; at most `limit` of them, each 2+ characters."""
    words = [w for w in fold(query).split(" ") if len(w) >= 2]
    return words[:limit]
