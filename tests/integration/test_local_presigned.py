"""The local stack's moto server refuses presigned requests as S3 does (socialpub/local/presigned.py
wrapped around it by MotoServer), over real HTTP: what the e2e tests and developers' clients meet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from socialpub.local.snapshot import Gate, MotoServer
from tests.e2e.harness import free_port


@pytest.fixture
def s3() -> Iterator[Any]:
    port = free_port()
    server = MotoServer(Gate(), "127.0.0.1", port, {"testing": "testing"})
    server.start()
    try:
        yield boto3.client(
            "s3",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(signature_version="s3v4"),
        )
    finally:
        server.stop()


def test_the_local_s3_takes_a_put_as_signed_and_refuses_another_content_type(s3: Any) -> None:
    # Given a bucket on the local moto server and a PUT URL signed for image/jpeg
    s3.create_bucket(Bucket="presigned-check")
    params = {"Bucket": "presigned-check", "Key": "workspaces/ws/media/m1/upload", "ContentType": "image/jpeg"}
    url = s3.generate_presigned_url("put_object", Params=params, ExpiresIn=900)
    # When the file is PUT as signed, and again as image/png
    ok = requests.put(url, data=b"jpeg bytes", headers={"Content-Type": "image/jpeg"}, timeout=30)
    other = requests.put(url, data=b"png bytes", headers={"Content-Type": "image/png"}, timeout=30)
    # Then the first is stored and the second refused in S3's words, leaving the object as it was
    assert ok.status_code == 200, ok.text
    assert other.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in other.text
    stored = s3.get_object(Bucket="presigned-check", Key=params["Key"])
    assert stored["Body"].read() == b"jpeg bytes"
