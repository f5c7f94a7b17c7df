"""Nostr's keys and names (NIP-01, NIP-19), without cryptography: what a connect checks before
anything is stored (a private key's form and range, the relays' URLs) and NIP-19's bech32 names
(``npub1...``, ``note1...``). Signing lives in the adapter (socialpub.adapters.nostr)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from socialpub.domain.errors import InvalidInput

MAX_RELAYS = 10  # relays an account publishes to (each a connection per post)
# secp256k1's group order: a private key is an integer in [1, N-1] (BIP-340)
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")

# ---------------------------------------------------------------------- NIP-19: bech32 (BIP-173)

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: Iterable[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= _GEN[i] if (top >> i) & 1 else 0
    return check


def _expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(data: Iterable[int], source: int, target: int, pad: bool) -> list[int] | None:
    acc, bits, out, top = 0, 0, [], (1 << target) - 1
    for value in data:
        acc, bits = (acc << source) | value, bits + source
        while bits >= target:
            bits -= target
            out.append((acc >> bits) & top)
    if pad and bits:
        out.append((acc << (target - bits)) & top)
    elif not pad and (bits >= source or (acc << (target - bits)) & top):
        return None
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    words = _regroup(data, 8, 5, True) or []
    mod = _polymod([*_expand(hrp), *words, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[w] for w in [*words, *checksum])


def bech32_decode(text: str) -> tuple[str, bytes] | None:
    """(hrp, data) of a well-formed bech32 string (one case, a valid checksum), else None."""
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    hrp, sep, rest = text.rpartition("1")
    if not sep or not hrp or len(rest) < 6 or any(c not in _CHARSET for c in rest):
        return None
    words = [_CHARSET.index(c) for c in rest]
    if _polymod([*_expand(hrp), *words]) != 1:
        return None
    data = _regroup(words[:-6], 5, 8, False)
    return (hrp, bytes(data)) if data is not None else None


def npub(pubkey: str) -> str:
    return bech32_encode("npub", bytes.fromhex(pubkey))


def note_id(event_id: str) -> str:
    return bech32_encode("note", bytes.fromhex(event_id))


def note_link(event_id: str) -> str:
    """A note's public page (njump.me shows any note by its NIP-19 id)."""
    return f"https://njump.me/{note_id(event_id)}"


# ---------------------------------------------------------------------- keys and events


def private_key(text: str) -> str:
    """The private key's 64 hex digits, from hex or ``nsec1...``; InvalidInput saying why otherwise."""
    value = text.strip()
    if value.lower().startswith("nsec1"):
        decoded = bech32_decode(value)
        if decoded is None or decoded[0] != "nsec" or len(decoded[1]) != 32:
            raise _bad_key("it is not a valid nsec (NIP-19 bech32: check it was copied whole)")
        key = decoded[1].hex()
    elif HEX64.match(value):
        key = value.lower()
    elif value.lower().startswith("npub1"):
        raise _bad_key("an npub is a public key: give the private key (nsec1... or 64 hex digits)")
    else:
        raise _bad_key("give the private key as nsec1... (NIP-19) or 64 hex digits")
    if not 0 < int(key, 16) < N:
        raise _bad_key("it is outside secp256k1's range of private keys")
    return key


def _bad_key(why: str) -> InvalidInput:
    return InvalidInput(
        f"This is not a Nostr private key: {why}",
        details={"field": "credentials.private_key", "error": "invalid_private_key"},
    )


# ---------------------------------------------------------------------- relay URLs


def relay_urls(text: str, guard: Callable[[str], str]) -> list[str]:
    """The relays a user named (separated by commas or spaces): each ``wss://`` with a public DNS name
    (``guard``, the SSRF guard for hosts a client names), at most MAX_RELAYS, without repeats."""
    named = [r for r in re.split(r"[\s,]+", text.strip()) if r]
    if not named:
        raise _bad_relays("name at least one relay (e.g. wss://relay.damus.io)")
    found: list[str] = []
    for relay in named:
        try:
            parts = urlsplit(relay)
            port = parts.port
        except ValueError:
            raise _bad_relays(f"{relay!r} is not a URL") from None
        if parts.scheme.lower() != "wss" or not parts.hostname or parts.username or parts.password:
            raise _bad_relays(f"{relay!r} is not a wss:// URL (relays are reached over TLS)")
        if parts.query or parts.fragment:
            raise _bad_relays(f"{relay!r} has a query or fragment; give the relay's URL alone")
        try:
            host = guard(parts.hostname)
        except InvalidInput as refused:  # the SSRF guard's refusal, named as the relays' field
            raise _bad_relays(f"{relay!r}: {refused.message}") from None
        url = f"wss://{host}{f':{port}' if port else ''}{parts.path.rstrip('/')}"
        if url not in found:
            found.append(url)
    if len(found) > MAX_RELAYS:
        raise _bad_relays(f"at most {MAX_RELAYS} relays, not {len(found)}")
    return found


def _bad_relays(why: str) -> InvalidInput:
    return InvalidInput(f"Nostr relays: {why}", details={"field": "credentials.relays", "error": "invalid_relays"})
