"""How each network counts the length of a text (reference/peers-and-platforms.md, section 2).

X follows twitter-text v3 (docs.x.com/fundamentals/counting-characters): NFC-normalized text; code
points in the v3 ranges weigh 1, everything else 2; an emoji sequence (ZWJ sequences, flags,
keycaps, modifiers) weighs 2 in all; every URL weighs 23. tests/unit/test_text_length.py checks it
against the official JavaScript twitter-text on a corpus of cases.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

import regex

from socialpub.domain.platforms import CharacterCounting

# twitter-text v3 configuration (configs.js, version3).
_X_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL_LENGTH = 23

_GRAPHEME = regex.compile(r"\X")
# An emoji: a pictograph shown as emoji by default, any pictograph made emoji by U+FE0F, a flag
# (regional indicators) or a keycap. A bare "©" is text (twitter-text counts it as 1).
_EMOJI = regex.compile(r"\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\p{Regional_Indicator}|\u20e3")

# URLs as twitter-text extracts them: a domain ending in a known TLD (generic, or any two-letter
# country code), with or without an http(s) scheme. Bare IP addresses are not links.
_GTLDS = (
    "com|net|org|info|biz|edu|gov|mil|int|io|app|dev|ai|co|me|tv|ly|xyz|online|site|store|shop|blog|news|"
    "tech|cloud|live|life|world|media|social|link|page|space|website|email|agency|design|art|club|fun|"
    "game|games|global|group|guru|host|im|inc|ltd|network|one|photo|photos|pro|run|studio|team|today|"
    "top|travel|video|wiki|work|works|zone|asia|mobi|name|tel|jobs|museum|aero|coop|cat|post|travel"
)
# After a scheme, a host label may hold any letter, digit or symbol ("http://☃.net"); a bare
# domain is ASCII only.
_HOST_LABEL = r"(?:[^\p{P}\p{Z}\p{C}\s](?:[^\p{P}\p{Z}\p{C}\s]|[_-])*)"
_ASCII_LABEL = r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)"
_TLD = r"(?:" + _GTLDS + r"|[a-z]{2})(?![\p{L}\p{N}_-])"
_URL = regex.compile(
    r"(?<![\p{L}\p{N}@$#_/.-])"
    r"(?:https?://(?:[^\s/?#@]+@)?(?:" + _HOST_LABEL + r"\.)+" + _TLD + r"|(?:" + _ASCII_LABEL + r"\.)+" + _TLD + r")"
    r"(?::\d+)?(?P<rest>[/?#][^\s]*)?",
    regex.IGNORECASE,
)
_TRAILING = ".,;:!?'\")]}"


def urls(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each URL in ``text``, trailing punctuation excluded."""
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        yield start, end


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def _is_emoji(cluster: str) -> bool:
    return bool(_EMOJI.search(cluster))


def _x_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _X_RANGES) else 2


def _with_urls(text: str, weigh: Callable[[str], int], url_length: int) -> int:
    """``weigh`` applied to the text between URLs, plus ``url_length`` for each URL."""
    total, position = 0, 0
    for start, end in urls(text):
        total += weigh(text[position:start]) + url_length
        position = end
    return total + weigh(text[position:])


def x_weighted_length(text: str) -> int:
    return _with_urls(unicodedata.normalize("NFC", text), _weigh_x, X_URL_LENGTH)


def _weigh_x(text: str) -> int:
    total = 0
    for cluster in _GRAPHEME.findall(text):
        total += 2 if _is_emoji(cluster) else sum(_x_weight(ch) for ch in cluster)
    return total


def emoji_as_bytes_length(text: str) -> int:
    """Threads: characters count 1 each, an emoji counts its UTF-8 bytes (Meta's Threads docs)."""
    return sum(len(c.encode()) if _is_emoji(c) else len(c) for c in _GRAPHEME.findall(text))


def mastodon_length(text: str, url_length: int = X_URL_LENGTH) -> int:
    """Mastodon: every URL counts ``url_length``; ``@user@domain`` counts only ``@user``."""
    return _with_urls(regex.sub(r"(@[\w.]+)@[\w.-]+\w", r"\1", text), len, url_length)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def length(text: str, counting: CharacterCounting, url_length: int | None = None) -> int:
    """The length of ``text`` as the network that uses ``counting`` sees it."""
    match counting:
        case CharacterCounting.TWITTER_WEIGHTED:
            return x_weighted_length(text)
        case CharacterCounting.GRAPHEMES:
            return graphemes(text)
        case CharacterCounting.EMOJI_AS_BYTES:
            return emoji_as_bytes_length(text)
        case CharacterCounting.UTF16:
            return utf16_length(text)
        case CharacterCounting.MASTODON:
            return mastodon_length(text, url_length or X_URL_LENGTH)
        case CharacterCounting.CODEPOINTS:
            return len(text)
