"""Presigned URLs refused locally as S3 refuses them: moto checks neither their signature nor their
expiry (reference/aws-local-tooling.md 3.1, gap 2), so the local stack wraps moto's server in this.

A request with ``X-Amz-Signature`` in its query (SigV4 query-string auth) is checked before moto
sees it; any other request passes untouched. The signature is recomputed with botocore's own
signer, from the request as it arrived: its method, path and query (without the signature), the
headers named by ``X-Amz-SignedHeaders`` with the values the request carries, ``UNSIGNED-PAYLOAD``,
and the ``X-Amz-Date`` and credential scope of the URL. So a PUT with another Content-Type than the
one signed fails as it does on S3. Answers, in S3's XML:

- 403 ``AccessDenied`` "Request has expired" once ``X-Amz-Date`` + ``X-Amz-Expires`` has passed;
- 403 ``SignatureDoesNotMatch`` when the recomputed signature differs (with the canonical request
  and string to sign, as S3 gives them, to debug a client);
- 403 ``AccessDenied`` "There were headers present in the request which were not signed" for an
  ``x-amz-*`` header outside the signed ones;
- 403 ``InvalidAccessKeyId`` for an access key the stack does not know;
- 400 ``AuthorizationQueryParametersError`` for a malformed query.

Development code (never shipped: shared/Makefile leaves socialpub/local out of the SharedLayer).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"
MAX_EXPIRES_SECONDS = 7 * 24 * 3600  # S3's limit for SigV4 presigned URLs

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    extra: tuple[tuple[str, str], ...] = ()

    def xml(self) -> bytes:
        fields = [("Code", self.code), ("Message", self.message), *self.extra]
        fields.append(("RequestId", secrets.token_hex(8).upper()))
        body = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{body}</Error>'.encode()


@dataclass(frozen=True)
class PresignedRequest:
    """What the check reads of a request: ``path`` and ``query`` as sent (percent-encoded), and its
    headers (any case)."""

    method: str
    scheme: str
    path: str
    query: str
    headers: Mapping[str, str]


def _pairs(query: str) -> list[tuple[str, str]]:
    return [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in query.split("&") if p)]


def _malformed(message: str) -> Refusal:
    return Refusal(400, "AuthorizationQueryParametersError", message)


def check(request: PresignedRequest, credentials: Mapping[str, str], now: datetime) -> Refusal | None:
    """None if the request may go on to S3 (it is not presigned, or its signature holds)."""
    pairs = _pairs(request.query)
    params = dict(pairs)
    if "X-Amz-Signature" not in params:
        return None
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        return _malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    try:
        access_key, date, region, service, terminator = params["X-Amz-Credential"].split("/")
        signed_at = datetime.strptime(params["X-Amz-Date"], SIGV4_TIMESTAMP).replace(tzinfo=UTC)
        expires = int(params["X-Amz-Expires"])
        signed_names = params["X-Amz-SignedHeaders"].split(";")
    except (KeyError, ValueError):
        return _malformed(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    if terminator != "aws4_request" or date != params["X-Amz-Date"][:8]:
        return _malformed("Error parsing the X-Amz-Credential parameter")
    if not 0 < expires <= MAX_EXPIRES_SECONDS:
        return _malformed("X-Amz-Expires must be less than a week (in seconds) that is 604800")
    if access_key not in credentials:
        return Refusal(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            (("AWSAccessKeyId", access_key),),
        )
    expiry = signed_at + timedelta(seconds=expires)
    if now > expiry:
        return Refusal(
            403,
            "AccessDenied",
            "Request has expired",
            (
                ("X-Amz-Expires", str(expires)),
                ("Expires", expiry.strftime("%Y-%m-%dT%H:%M:%SZ")),
                ("ServerTime", now.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ),
        )
    headers = {name.lower(): value for name, value in request.headers.items()}
    unsigned = sorted(n for n in headers if n.startswith("x-amz-") and n not in signed_names)
    if unsigned:
        return Refusal(
            403,
            "AccessDenied",
            "There were headers present in the request which were not signed",
            (("HeadersNotSigned", ", ".join(unsigned)),),
        )
    # The request as it was signed: the query without the signature (in S3's canonical encoding),
    # and the signed headers with the values this request carries.
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs if k != "X-Amz-Signature")
    host = headers.get("host", "")
    signed = AWSRequest(
        method=request.method.upper(),
        url=f"{request.scheme}://{host}{request.path}?{query}",
        headers={name: headers[name] for name in signed_names if name in headers},
    )
    signed.context["timestamp"] = params["X-Amz-Date"]
    signer = S3SigV4QueryAuth(Credentials(access_key, credentials[access_key]), service, region)
    canonical = signer.canonical_request(signed)
    string_to_sign = signer.string_to_sign(signed, canonical)
    expected = signer.signature(string_to_sign, signed)
    if hmac.compare_digest(expected, params["X-Amz-Signature"]):
        return None
    return Refusal(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
        (
            ("AWSAccessKeyId", access_key),
            ("StringToSign", string_to_sign),
            ("SignatureProvided", params["X-Amz-Signature"]),
            ("CanonicalRequest", canonical),
        ),
    )


def _from_environ(environ: Mapping[str, Any]) -> PresignedRequest:
    # The target as sent (percent-encoded); a proxy's absolute form names the scheme and host too.
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    path = urlsplit(raw).path if "://" in raw else raw.split("?", 1)[0]
    if not path:  # no raw target: PATH_INFO is decoded (as latin-1), encode it as botocore does
        path = quote(str(environ.get("PATH_INFO", "/")).encode("latin-1").decode("utf-8"), safe="/~")
    headers = {key[5:].replace("_", "-").lower(): str(v) for key, v in environ.items() if key.startswith("HTTP_")}
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if environ.get(key):
            headers[name] = str(environ[key])
    return PresignedRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        scheme=str(environ.get("wsgi.url_scheme", "http")),
        path=path,
        query=str(environ.get("QUERY_STRING", "")),
        headers=headers,
    )


def verifying(
    app: WsgiApp, credentials: Mapping[str, str], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> WsgiApp:
    """``app`` (moto's server) behind the check: a refused presigned request never reaches it.
    ``credentials``: access key id -> secret key, the keys the stack signs with."""

    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refusal = check(_from_environ(environ), credentials, clock())
        if refusal is None:
            return app(environ, start_response)
        body = refusal.xml()
        reason = {400: "Bad Request", 403: "Forbidden"}[refusal.status]
        start_response(
            f"{refusal.status} {reason}",
            [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return checked
