"""What a token was granted, for the networks' endpoints that refuse a token lacking a scope they need.

The scopes a user granted at the consent page travel with the code to the token (``TokenFamily.scope``),
as on the networks. Each network module lists what its endpoints need, from that network's docs, and
answers a token lacking it with that network's own refusal; nothing here is read from the product.

A requirement is one scope, or a tuple of scopes any one of which will do (YouTube's upload takes
``youtube.upload``, ``youtube`` or ``youtube.force-ssl``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.state import EmulatorState, TokenFamily

Requirement = str | tuple[str, ...]

_SEPARATORS = re.compile(r"[\s,]+")  # networks join scopes with spaces (most) or commas (Meta, TikTok)


def granted(family: TokenFamily) -> set[str]:
    return {scope for scope in _SEPARATORS.split(family.scope) if scope}


def lacking(family: TokenFamily, needed: Iterable[Requirement]) -> str | None:
    """The first requirement the token's grant does not meet (its scopes joined by " or "), or None."""
    have = granted(family)
    for requirement in needed:
        options = (requirement,) if isinstance(requirement, str) else requirement
        if not have.intersection(options):
            return " or ".join(options)
    return None


def refusal(
    state: EmulatorState,
    request: Request,
    network: str,
    needed: Iterable[Requirement],
    refuse: Callable[[str], Response],
) -> Response | None:
    """The network's refusal (``refuse(missing)``) when the request's bearer token lacks a needed scope;
    None when it has them all, or when there is no live token (the endpoint's own 401 answers that)."""
    family = state.bearer(request, network)
    missing = lacking(family, needed) if family is not None else None
    return refuse(missing) if missing else None


def google_refusal(service: str) -> Callable[[str], Response]:
    """Google APIs' one answer to a token without a scope the call needs (YouTube, Business Profile):
    403 PERMISSION_DENIED, reason insufficientPermissions, the API's service named in its details."""

    def refuse(_missing: str) -> Response:
        error = {
            "code": 403,
            "message": "Request had insufficient authentication scopes.",
            "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                    "domain": "googleapis.com",
                    "metadata": {"service": service},
                }
            ],
        }
        return JSONResponse({"error": error}, status_code=403)

    return refuse
