"""keccak-256 and the EIP-712 signature of Farcaster's signed key request (adapters/eip712.py), checked
against published vectors: keccak-256 of known inputs, an ERC-20 selector, the addresses of private keys
1 and 2, and the Ether Mail example of the EIP-712 specification (its domain separator, digest and the
signature by keccak256("cow")); the emulator's own keccak agrees on every length up to three blocks."""

from __future__ import annotations

import os

import pytest

from socialpub.adapters.eip712 import (
    address_of,
    domain_separator,
    keccak256,
    sign_digest,
    signed_key_request_signature,
    typed_digest,
)
from socialpub.local.emulator.keccak import keccak256 as emulator_keccak256


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (
            b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
            "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f",
        ),
    ],
    ids=["empty", "abc", "eip712-domain-type"],
)
def test_keccak256__known_inputs__their_published_digest(data: bytes, digest: str) -> None:
    # Given an input with a published keccak-256 / When it is hashed / Then the digest is that one (not SHA3-256)
    assert keccak256(data).hex() == digest


def test_keccak256__erc20_selector_and_addresses_of_keys_1_and_2() -> None:
    # Given the ERC-20 transfer signature and the private keys 1 and 2
    # When hashed and turned into addresses
    # Then they are the well-known selector and addresses
    assert keccak256(b"transfer(address,uint256)")[:4].hex() == "a9059cbb"
    assert address_of("01".rjust(64, "0")) == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
    assert address_of("02".rjust(64, "0")) == "0x2b5ad5c4795c026514f8317c7a215e218dccd6cf"


def test_keccak256__every_length_up_to_three_blocks__the_emulators_own_implementation_agrees() -> None:
    # Given inputs of every length around the 136-byte rate (one, two and three blocks)
    for length in range(0, 3 * 136 + 2):
        data = os.urandom(length)
        # When both implementations hash it / Then they agree
        assert keccak256(data) == emulator_keccak256(data), length


def test_eip712__ether_mail_example__the_specifications_digest_and_signature() -> None:
    # Given the EIP-712 specification's example: Cow mails Bob, signed by keccak256("cow")
    cow = keccak256(b"cow").hex()
    separator = domain_separator("Ether Mail", "1", 1, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")
    person = keccak256(b"Person(string name,address wallet)")
    mail = keccak256(b"Mail(Person from,Person to,string contents)Person(string name,address wallet)")

    def hash_person(name: bytes, wallet: str) -> bytes:
        return keccak256(person + keccak256(name) + int(wallet, 16).to_bytes(32, "big"))

    struct = keccak256(
        mail
        + hash_person(b"Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        + hash_person(b"Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB")
        + keccak256(b"Hello, Bob!")
    )

    # When its digest is made and signed
    digest = typed_digest(separator, struct)
    signature = sign_digest(cow, digest)

    # Then the domain separator, digest and signature (v = 28) are the specification's
    assert address_of(cow) == "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826"
    assert separator.hex() == "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"
    assert digest.hex() == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
    assert signature == (
        "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
        "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"
        "1c"
    )


def test_signed_key_request_signature__65_bytes_with_v_27_or_28() -> None:
    # Given an app's custody key, its fid, a signer's Ed25519 public key and a deadline
    # When the signed key request is signed
    signature = signed_key_request_signature("11" * 32, 1234, "0x" + "ab" * 32, 1_800_000_000)
    # Then it is r || s || v, v being 27 or 28 as Ethereum wants it
    raw = bytes.fromhex(signature.removeprefix("0x"))
    assert len(raw) == 65
    assert raw[64] in (27, 28)
