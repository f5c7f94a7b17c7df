"""The emulator's own text counting (socialpub.local.emulator.counting), held to the networks' answers,
not to the product's counting: the two are written apart so that one can catch the other's mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialpub.local.emulator.counting import graphemes, mastodon_length, utf16_units, x_links, x_weighted_length

# Produced by the official JavaScript twitter-text 3.1.0 (see tests/unit/test_text_length.py).
ORACLE = json.loads((Path(__file__).parent / "fixtures" / "twitter_text_v3.json").read_text())

# Where the emulator knowingly differs from twitter-text, and why: twitter-text links the tail of a bare
# domain with non-ASCII letters ("nïcödé.com"); the emulator links no bare non-ASCII domain.
KNOWN_DIVERGENCES = {"ünïcödé.com test": 16}


@pytest.mark.parametrize("case", ORACLE, ids=lambda c: c["text"][:30] or "empty")
def test_the_emulators_x_length_is_the_official_twitter_text_length(case: dict) -> None:
    # Given a text and the length the official twitter-text gives it
    # When the emulator weighs it
    # Then it finds the same length
    assert x_weighted_length(case["text"]) == KNOWN_DIVERGENCES.get(case["text"], case["weightedLength"])


def test_the_emulators_x_links_are_the_ones_x_shortens() -> None:
    # Given a text with links with and without a scheme, an e-mail address and a sentence's last dot
    text = "see https://example.com/a/b. and example.org, not me@example.net or #tag.com"

    # When the emulator finds its links
    found = [text[start:end] for start, end in x_links(text)]

    # Then the two links are found, without the trailing punctuation, and nothing else
    assert found == ["https://example.com/a/b", "example.org"]


def test_mastodon_counts_links_with_a_scheme_as_23_and_remote_mentions_by_their_local_part() -> None:
    # Given texts with a long link, a bare domain, a remote mention and an emoji sequence
    long_link = "https://example.com/" + "p" * 200

    # When the emulator counts them as Mastodon does
    # Then a link with a scheme counts 23, a bare domain counts its characters, @user@domain counts @user
    assert mastodon_length(f"read {long_link} now") == 5 + 23 + 4
    assert mastodon_length("averyveryverylongdomainname.example.com") == 39
    assert mastodon_length("hi @alice@mastodon.social") == len("hi @alice")
    assert mastodon_length("👨‍👩‍👧‍👦") == 1


def test_graphemes_and_utf16_units() -> None:
    # Given a family emoji (one grapheme of 11 UTF-16 units) and plain letters
    # When counted
    # Then graphemes count what a person sees, UTF-16 units what Meta and TikTok count
    assert graphemes("👨‍👩‍👧‍👦ab") == 3
    assert utf16_units("👨‍👩‍👧‍👦ab") == 13
