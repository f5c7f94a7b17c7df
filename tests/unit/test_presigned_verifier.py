"""The local stack's check of presigned S3 requests (socialpub/local/presigned.py), which moto skips:
a request S3 would refuse (another Content-Type than signed, a changed signature, an expired URL) is
refused in S3's words before moto sees it; anything else goes through untouched."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from werkzeug.test import Client

from socialpub.local.presigned import verifying

ENDPOINT = "http://127.0.0.1:4566"
CREDENTIALS = {"local": "local-secret"}


class Moto:
    """Stands in for moto's app: records what reaches it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.seen.append((environ["REQUEST_METHOD"], environ.get("CONTENT_TYPE", "")))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"stored"]


def presigned_put(content_type: str = "image/jpeg", expires: int = 900, key: str = "local") -> str:
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=ENDPOINT,
        aws_access_key_id=key,
        aws_secret_access_key=CREDENTIALS.get(key, "unknown"),
        config=Config(signature_version="s3v4"),
    )
    url: str = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": "media", "Key": "workspaces/ws/media/m1/upload", "ContentType": content_type},
        ExpiresIn=expires,
    )
    return url


def signed_at(url: str) -> datetime:
    return datetime.strptime(parse_qs(urlsplit(url).query)["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def put(url: str, now: datetime, **headers: str) -> tuple[Any, Moto]:
    moto = Moto()
    client = Client(verifying(moto, CREDENTIALS, clock=lambda: now))
    # The Host a client sends for the URL (werkzeug's test client would say "localhost")
    headers = {"Host": urlsplit(url).netloc, **headers}
    return client.put(url, data=b"\xff\xd8\xff jpeg bytes", headers=headers), moto


def error(response: Any) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ET.fromstring(response.data)}


def test_a_put_as_signed_reaches_moto() -> None:
    # Given a URL signed for image/jpeg, used within its 15 minutes
    url = presigned_put()
    # When the file is PUT with that Content-Type
    response, moto = put(url, signed_at(url) + timedelta(seconds=899), **{"Content-Type": "image/jpeg"})
    # Then moto stores it
    assert response.status_code == 200
    assert moto.seen == [("PUT", "image/jpeg")]


def test_a_put_with_another_content_type_is_refused_as_s3_refuses_it() -> None:
    # Given a URL signed for image/jpeg
    url = presigned_put()
    # When the file is PUT as image/png
    response, moto = put(url, signed_at(url), **{"Content-Type": "image/png"})
    # Then S3's answer comes back, and moto never sees the request
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/xml"
    body = error(response)
    assert body["Code"] == "SignatureDoesNotMatch"
    assert "content-type:image/png" in body["CanonicalRequest"]
    assert moto.seen == []


def test_a_changed_signature_is_refused() -> None:
    # Given a URL whose signature was changed by one character
    url = presigned_put()
    signature = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    tampered = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    # When it is used
    response, moto = put(tampered, signed_at(url), **{"Content-Type": "image/jpeg"})
    # Then it is refused
    assert (response.status_code, error(response)["Code"]) == (403, "SignatureDoesNotMatch")
    assert moto.seen == []


def test_an_expired_url_is_refused() -> None:
    # Given a 15-minute URL, used one second after its end
    url = presigned_put()
    response, moto = put(url, signed_at(url) + timedelta(seconds=901), **{"Content-Type": "image/jpeg"})
    # Then S3's "Request has expired" comes back
    assert response.status_code == 403
    body = error(response)
    assert (body["Code"], body["Message"], body["X-Amz-Expires"]) == ("AccessDenied", "Request has expired", "900")
    assert moto.seen == []


@pytest.mark.parametrize(
    ("key", "extra", "code"),
    [
        ("local", {"x-amz-tagging": "upload=pending"}, "AccessDenied"),  # an x-amz-* header not signed
        ("someone", {}, "InvalidAccessKeyId"),  # a key the stack does not sign with
    ],
    ids=["unsigned-amz-header", "unknown-key"],
)
def test_what_s3_would_not_take_either(key: str, extra: dict[str, str], code: str) -> None:
    url = presigned_put(key=key)
    response, moto = put(url, signed_at(url), **{"Content-Type": "image/jpeg", **extra})
    assert (response.status_code, error(response)["Code"]) == (403, code)
    assert moto.seen == []


def test_requests_that_are_not_presigned_go_through() -> None:
    # Given a request signed in its Authorization header (what boto3 sends), not in its query
    response, moto = put(f"{ENDPOINT}/media/key", datetime.now(UTC), Authorization="AWS4-HMAC-SHA256 ...")
    # Then the check leaves it to moto
    assert response.status_code == 200
    assert moto.seen == [("PUT", "")]
