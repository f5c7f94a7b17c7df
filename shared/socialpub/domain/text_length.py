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
_BEFORE_URL = r"(?<![\p{L}\p{N}@$#_/.-])"
_SCHEMED_HOST = r"https?://(?:[^\s/?#@]+@)?(?:" + _HOST_LABEL + r"\.)+" + _TLD
_BARE_HOST = r"(?:" + _ASCII_LABEL + r"\.)+" + _TLD
_URL_REST = r"(?::\d+)?(?P<rest>[/?#][^\s]*)?"
_URL = regex.compile(_BEFORE_URL + r"(?:" + _SCHEMED_HOST + r"|" + _BARE_HOST + r")" + _URL_REST, regex.IGNORECASE)
# Mastodon links only URLs with an http(s) scheme (twitter-text with extract_url_without_protocol off).
_SCHEMED_URL = regex.compile(_BEFORE_URL + _SCHEMED_HOST + _URL_REST, regex.IGNORECASE)
# A remote mention as Mastodon reads it (Account::MENTION_RE): not glued to a word, "=" or "/", so
# the "@alice@example.org" in the e-mail address "bob@alice@example.org" is not one.
_REMOTE_MENTION = regex.compile(r"(?<![=/\w])(@\w+(?:[.-]+\w+)*)@[\w.-]+\w")
_TRAILING = ".,;:!?'\")]}"


def urls(text: str, *, scheme_only: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of each URL in ``text``, trailing punctuation excluded; with ``scheme_only``, only
    the http(s) URLs (bare domains left as text)."""
    for match in (_SCHEMED_URL if scheme_only else _URL).finditer(text):
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


def mastodon_length(text: str, url_length: int = X_URL_LENGTH, content_warning: str = "") -> int:
    """Mastodon's StatusLengthValidator: the content warning and the text together, by grapheme
    cluster; in the text, each http(s) URL counts ``url_length`` (a bare domain is not a link there and
    counts in full) and ``@user@domain`` counts only ``@user``."""
    text = _REMOTE_MENTION.sub(r"\1", text)
    countable, position = [content_warning], 0
    for start, end in urls(text, scheme_only=True):
        # A placeholder, as Mastodon does, so the graphemes are counted over the text as one string.
        countable += [text[position:start], "x" * url_length]
        position = end
    countable.append(text[position:])
    return graphemes("".join(countable))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def length(text: str, counting: CharacterCounting, url_length: int | None = None, content_warning: str = "") -> int:
    """The length of ``text`` as the network that uses ``counting`` sees it; ``content_warning`` is
    counted with it where the network's limit covers both (Mastodon's spoiler_text)."""
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
            return mastodon_length(text, url_length or X_URL_LENGTH, content_warning)
        case CharacterCounting.CODEPOINTS:
            return len(text)
