"""Farcaster's signed key request, signed as the app: keccak-256 (Ethereum's hash, the original Keccak
padding, which hashlib's sha3_256 is not), the EIP-712 digest of ``SignedKeyRequest(uint256 requestFid,
bytes key, uint256 deadline)`` in the domain of Farcaster's SignedKeyRequestValidator on OP Mainnet
(docs.farcaster.xyz/reference/contracts/reference/signed-key-request-validator), and its secp256k1
signature by the app's custody key (coincurve), as Neynar's POST /v2/farcaster/signer/signed_key takes it.
Pure Python keccak: a few signatures per connect, so a dependency (pycryptodome, eth-account) is not worth it."""

from __future__ import annotations

from coincurve import PrivateKey

# Keccak-f[1600]: round constants and rotation offsets (FIPS 202, section 3.2)
_ROUNDS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]  # fmt: skip
_ROTATIONS = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]  # _ROTATIONS[x][y]
_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600 - 2 * 256 bits of capacity


def _rotl(v: int, n: int) -> int:
    return ((v << n) | (v >> (64 - n))) & _MASK if n else v


def _permute(a: list[list[int]]) -> None:
    for rc in _ROUNDS:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                a[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rotl(a[x][y], _ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                a[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y])
        a[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it: padding 0x01 ... 0x80 (SHA3-256 pads with 0x06, another hash)."""
    padded = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % _RATE)
    padded[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for start in range(0, len(padded), _RATE):
        block = padded[start : start + _RATE]
        for i in range(_RATE // 8):
            a[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(a)
    return b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


# docs.farcaster.xyz/reference/contracts/reference/signed-key-request-validator#signedkeyrequest-signature
DOMAIN_NAME = "Farcaster SignedKeyRequestValidator"
DOMAIN_VERSION = "1"
CHAIN_ID = 10  # OP Mainnet
VALIDATOR = "0x00000000FC700472606ED4fA22623Acf62c60553"
_DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
_REQUEST_TYPE = b"SignedKeyRequest(uint256 requestFid,bytes key,uint256 deadline)"


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def domain_separator(name: str, version: str, chain_id: int, contract: str) -> bytes:
    return keccak256(
        keccak256(_DOMAIN_TYPE)
        + keccak256(name.encode())
        + keccak256(version.encode())
        + _word(chain_id)
        + _word(int(contract, 16))
    )


def typed_digest(separator: bytes, struct_hash: bytes) -> bytes:
    """EIP-712: keccak256(0x19 0x01 || domainSeparator || hashStruct(message))."""
    return keccak256(b"\x19\x01" + separator + struct_hash)


def signed_key_request_digest(request_fid: int, key: bytes, deadline: int) -> bytes:
    struct_hash = keccak256(keccak256(_REQUEST_TYPE) + _word(request_fid) + keccak256(key) + _word(deadline))
    return typed_digest(domain_separator(DOMAIN_NAME, DOMAIN_VERSION, CHAIN_ID, VALIDATOR), struct_hash)


def sign_digest(private_key_hex: str, digest: bytes) -> str:
    """The 65-byte Ethereum signature r || s || v (v = 27 + the recovery id), as 0x-hex."""
    recoverable = PrivateKey(bytes.fromhex(private_key_hex.removeprefix("0x"))).sign_recoverable(digest, hasher=None)
    return "0x" + (recoverable[:64] + bytes([27 + recoverable[64]])).hex()


def address_of(private_key_hex: str) -> str:
    """The Ethereum address of a private key: the last 20 bytes of keccak256 of its uncompressed public key."""
    public = PrivateKey(bytes.fromhex(private_key_hex.removeprefix("0x"))).public_key.format(compressed=False)
    return "0x" + keccak256(public[1:])[-20:].hex()


def signed_key_request_signature(custody_key_hex: str, app_fid: int, signer_public_key: str, deadline: int) -> str:
    """The app's custody key signing that ``app_fid`` asks the signer's Ed25519 public key, until ``deadline``."""
    key = bytes.fromhex(signer_public_key.removeprefix("0x"))
    return sign_digest(custody_key_hex, signed_key_request_digest(app_fid, key, deadline))
