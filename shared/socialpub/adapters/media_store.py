"""The private media bucket. Every object of a workspace sits under ``workspaces/<id>/``; clients only
ever see presigned URLs with an expiry.

Presigned uploads carry the tag ``upload=pending`` until confirmed; the bucket's lifecycle rule
expires tagged objects after a day, so abandoned uploads clean themselves up. Uploads checked on
arrival (Publora's, whose clients send only a Content-Type) are not tagged: the media processor
attaches or deletes each one as it lands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable

PENDING_TAG = "upload=pending"


def workspace_prefix(workspace_id: str) -> str:
    return f"workspaces/{workspace_id}/"


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise DependencyUnavailable(details={"service": "s3"}) from exc


class S3Object:
    """An object read in byte ranges (one ranged GET per read)."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        self._s3 = client
        self._bucket = bucket
        self._key = key
        self.size = size

    def read(self, offset: int, length: int) -> bytes:
        if length <= 0 or offset >= self.size:
            return b""
        last = min(offset + length, self.size) - 1
        with _translated():
            body = self._s3.get_object(Bucket=self._bucket, Key=self._key, Range=f"bytes={offset}-{last}")["Body"]
            data: bytes = body.read()
        return data


class S3MediaStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with _translated():
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    def source(self, key: str) -> S3Object | None:
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise DependencyUnavailable(details={"service": "s3"}) from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable(details={"service": "s3"}) from exc
        return S3Object(self._s3, self._bucket, key, int(head["ContentLength"]))

    def keep(self, key: str) -> None:
        with _translated():
            self._s3.delete_object_tagging(Bucket=self._bucket, Key=key)

    def delete(self, keys: list[str]) -> None:
        with _translated():
            for start in range(0, len(keys), 1000):
                batch = [{"Key": k} for k in keys[start : start + 1000]]
                self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True})

    def copy(self, source_key: str, key: str) -> None:
        """A server-side copy (up to 5 GB, the largest file accepted). Tags are not copied: that would
        need s3:GetObjectTagging, and a copy is never a pending upload."""
        with _translated():
            self._s3.copy_object(
                Bucket=self._bucket,
                Key=key,
                CopySource={"Bucket": self._bucket, "Key": source_key},
                TaggingDirective="REPLACE",
            )

    def download_url(self, key: str, ttl_seconds: int) -> str:
        """A signed GET URL; signing is local (no request to S3)."""
        url: str = self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=ttl_seconds
        )
        return url

    def upload_url(self, key: str, *, content_type: str, size: int, ttl_seconds: int) -> str:
        """A signed PUT URL bound to the declared type and exact size, tagged pending until confirmed."""
        url: str = self._s3.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size,
                "Tagging": PENDING_TAG,
            },
            ExpiresIn=ttl_seconds,
        )
        return url

    def arrival_upload_url(self, key: str, *, content_type: str, ttl_seconds: int) -> str:
        """A signed PUT URL bound to the declared type only: S3 refuses a PUT with another Content-Type."""
        url: str = self._s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=ttl_seconds,
        )
        return url

    def upload_headers(self, content_type: str) -> dict[str, str]:
        return {"Content-Type": content_type, "x-amz-tagging": PENDING_TAG}

    def delete_workspace_objects(self, workspace_id: str, budget: int) -> int:
        """Delete up to ``budget`` objects (at most 1000 per call, the S3 batch limit)."""
        if budget <= 0:
            return 0
        with _translated():
            listing = self._s3.list_objects_v2(
                Bucket=self._bucket, Prefix=workspace_prefix(workspace_id), MaxKeys=min(budget, 1000)
            )
        keys = [o["Key"] for o in listing.get("Contents", [])]
        self.delete(keys)
        return len(keys)
