"""The emulator's own keccak-256 (Ethereum's hash), written apart from the product's (adapters/eip712.py) so
that a mistake in one is caught by the other: a flat 25-lane state and the pi/rho steps walked as a cycle."""

from __future__ import annotations

_M = 0xFFFFFFFFFFFFFFFF


def _round_constants() -> list[int]:
    """The 24 iota constants from the degree-8 LFSR of FIPS 202 (algorithm 5), not a table."""
    out, r = [], 1
    for _ in range(24):
        rc = 0
        for j in range(7):
            if r & 1:
                rc |= 1 << ((1 << j) - 1)
            r = ((r << 1) ^ 0x71) & 0xFF if r & 0x80 else r << 1
        out.append(rc)
    return out


_RC = _round_constants()
# rho offsets and pi's lane order, walked from lane 1 as in the Keccak reference ("compact" implementation)
_PILN = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]
_ROTC = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]


def _f(s: list[int]) -> None:
    for rc in _RC:
        bc = [s[i] ^ s[i + 5] ^ s[i + 10] ^ s[i + 15] ^ s[i + 20] for i in range(5)]
        for i in range(5):
            t = bc[(i + 4) % 5] ^ (((bc[(i + 1) % 5] << 1) | (bc[(i + 1) % 5] >> 63)) & _M)
            for j in range(0, 25, 5):
                s[j + i] ^= t
        t = s[1]
        for i in range(24):
            j = _PILN[i]
            nxt = s[j]
            s[j] = ((t << _ROTC[i]) | (t >> (64 - _ROTC[i]))) & _M
            t = nxt
        for j in range(0, 25, 5):
            row = s[j : j + 5]
            for i in range(5):
                s[j + i] = row[i] ^ ((~row[(i + 1) % 5]) & row[(i + 2) % 5])
        s[0] ^= rc


def keccak256(data: bytes) -> bytes:
    rate = 136
    msg = bytes(data) + b"\x01" + bytes((-len(data) - 1) % rate)
    msg = msg[:-1] + bytes([msg[-1] | 0x80])
    s = [0] * 25
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            s[i] ^= int.from_bytes(msg[off + 8 * i : off + 8 * i + 8], "little")
        _f(s)
    return b"".join(s[i].to_bytes(8, "little") for i in range(4))
