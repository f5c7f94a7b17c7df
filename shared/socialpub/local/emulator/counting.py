"""How the emulated networks count the length of a text: the emulator's own code, written from each
network's docs and never shared with the product (``socialpub.domain.text_length``), so that a counting
mistake in the product is refused here instead of being made twice.

The X counter follows twitter-text v3 as X documents it (docs.x.com/resources/fundamentals/counting-characters):
the text NFC-normalized; a URL weighs 23 whatever its length; an emoji (one ZWJ sequence, flag, keycap or
skin-tone sequence) weighs 2; any other code point weighs 1 in the v3 ranges and 2 outside them (CJK,
most symbols). Its links are found the way twitter-text does, by a different route from the product's: a
text is cut into words and each word is read for a scheme, a host and a TLD. tests/unit/test_emulator_counting.py
holds it to the official JavaScript twitter-text's answers. (The twitter-text-parser package, a Python
port, imports ``pkg_resources``, gone from setuptools since 82, and its emoji table dates from 2019.)
"""

from __future__ import annotations

import unicodedata

import regex

# twitter-text v3 configuration (config/v3.json): these code point ranges weigh 1, the rest 2.
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
X_URL_WEIGHT = 23
X_EMOJI_WEIGHT = 2

# Mastodon's StatusLengthValidator: a link with an http(s) scheme counts 23, a remote mention counts
# only its local part (@user of @user@domain), everything else by grapheme.
MASTODON_URL_WEIGHT = 23

_CLUSTER = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\p{Regional_Indicator}|\u20e3")
_SCHEME = regex.compile(r"https?://", regex.IGNORECASE)
_WORD = regex.compile(r"\S+")

# Generic TLDs X links without a scheme (two-letter country codes are all linked); IANA's list is longer,
# these are the ones people type.
_GENERIC_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "info",
        "biz",
        "edu",
        "gov",
        "mil",
        "int",
        "app",
        "dev",
        "blog",
        "cloud",
        "club",
        "design",
        "email",
        "global",
        "group",
        "io",
        "live",
        "media",
        "name",
        "news",
        "online",
        "page",
        "pro",
        "shop",
        "site",
        "space",
        "store",
        "tech",
        "today",
        "travel",
        "tv",
        "video",
        "website",
        "wiki",
        "work",
        "world",
        "xyz",
        "social",
        "link",
        "art",
        "fun",
        "games",
        "studio",
        "team",
        "agency",
        "network",
        "photo",
        "photos",
        "mobi",
        "asia",
        "jobs",
        "museum",
        "aero",
        "coop",
        "cat",
        "post",
        "tel",
        "guru",
        "zone",
        "top",
        "one",
        "run",
    ]
)
# A URL's path may not end with these (twitter-text's "valid URL path ending chars" are letters, digits
# and /=_-+&#, or a closing parenthesis that closes one opened in the path).
_TRAILING = ".,;:!?'\"]}>*"


def graphemes(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters)."""
    return len(_CLUSTER.findall(text))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_tld(label: str, *, with_scheme: bool) -> bool:
    label = label.lower()
    if len(label) == 2 and label.isascii() and label.isalpha():
        return True
    if label in _GENERIC_TLDS:
        return True
    # After a scheme, any alphabetic TLD of letters (IDN TLDs included) is taken.
    return with_scheme and len(label) >= 2 and label.isalpha()


def _host_ok(host: str, *, with_scheme: bool) -> bool:
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return False
    if not _is_tld(labels[-1], with_scheme=with_scheme):
        return False
    for label in labels[:-1]:
        if label.startswith("-") or label.endswith("-"):
            return False
        if with_scheme:
            if not all(ch.isalnum() or ch in "-_" or unicodedata.category(ch).startswith("S") for ch in label):
                return False
        elif not (label.isascii() and all(ch.isalnum() or ch in "-_" for ch in label)):
            return False
    return True


def _end_of_path(word: str, start: int) -> int:
    """Where a URL's path starting at ``start`` in ``word`` ends (trailing punctuation left out)."""
    end = len(word)
    while end > start:
        last = word[end - 1]
        if last == ")" and word[start:end].count("(") >= word[start:end].count(")"):
            break
        if last in _TRAILING or last == ")" or last == "(":
            end -= 1
            continue
        break
    return end


def _link_in_word(word: str, *, bare: bool) -> tuple[int, int] | None:
    """The (start, end) of the first link in one whitespace-free word, if any."""
    scheme = _SCHEME.search(word)
    if scheme is not None:
        before = word[scheme.start() - 1] if scheme.start() else ""
        if before and (before.isalnum() or before in "@$#"):
            return None
        start, host_start = scheme.start(), scheme.end()
        with_scheme = True
    elif bare:
        # A bare domain: not glued to a mention, hashtag, cashtag, an e-mail's user, a path or a word.
        found = None
        for index, char in enumerate(word):
            previous = word[index - 1] if index else ""
            if char.isascii() and char.isalnum() and not (previous and (previous.isalnum() or previous in "@$#-_./:")):
                found = index
                break
        if found is None:
            return None
        start = host_start = found
        with_scheme = False
    else:
        return None
    rest = word[host_start:]
    host_end = len(rest)
    for index, char in enumerate(rest):
        if char in "/?#:()" or (char in _TRAILING and char not in ".*"):
            host_end = index
            break
    authority = rest[:host_end].rstrip(".")  # "example.com." : the last dot ends the sentence
    host = authority
    if "@" in authority:  # user info (https://user@host), with a scheme only: else it is an e-mail address
        if not with_scheme:
            return None
        host = authority.rpartition("@")[2]
    if not _host_ok(host, with_scheme=with_scheme):
        return None
    end = host_start + len(authority)
    tail = word[end:]
    port = regex.match(r":\d+", tail)
    if port:
        end += port.end()
        tail = word[end:]
    if tail[:1] in ("/", "?", "#"):
        end = _end_of_path(word, end)
    return start, end


def x_links(text: str) -> list[tuple[int, int]]:
    """(start, end) of each link X would shorten to t.co in ``text``."""
    found = []
    for word in _WORD.finditer(text):
        span = _link_in_word(word.group(), bare=True)
        if span is not None:
            found.append((word.start() + span[0], word.start() + span[1]))
    return found


def _x_weight_between_links(text: str) -> int:
    total = 0
    for cluster in _CLUSTER.findall(text):
        if _EMOJI.search(cluster):
            total += X_EMOJI_WEIGHT
            continue
        for char in cluster:
            point = ord(char)
            total += 1 if any(low <= point <= high for low, high in X_LIGHT_RANGES) else 2
    return total


def x_weighted_length(text: str) -> int:
    """The length X gives a post's text (twitter-text v3 weighted length)."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for start, end in x_links(text):
        total += _x_weight_between_links(text[position:start]) + X_URL_WEIGHT
        position = end
    return total + _x_weight_between_links(text[position:])


_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@\w+(?:[.-]\w+)*)@[\w-]+(?:\.[\w-]+)+")


def mastodon_length(text: str) -> int:
    """The length Mastodon gives a status (its StatusLengthValidator): links with an http(s) scheme
    count 23, ``@user@domain`` counts as ``@user``, everything else counts by grapheme."""
    total, position = 0, 0
    for word in _WORD.finditer(text):
        span = _link_in_word(word.group(), bare=False)
        if span is None:
            continue
        start, end = word.start() + span[0], word.start() + span[1]
        total += graphemes(_REMOTE_MENTION.sub(r"\1", text[position:start])) + MASTODON_URL_WEIGHT
        position = end
    return total + graphemes(_REMOTE_MENTION.sub(r"\1", text[position:]))
