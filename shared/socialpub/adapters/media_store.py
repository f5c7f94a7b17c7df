"""The private media bucket. Every object of a workspace sits under ``workspaces/<id>/``."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable


def workspace_prefix(workspace_id: str) -> str:
    return f"workspaces/{workspace_id}/"


class S3MediaStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def delete_workspace_objects(self, workspace_id: str, budget: int) -> int:
        """Delete up to ``budget`` objects (at most 1000 per call, the S3 batch limit)."""
        if budget <= 0:
            return 0
        try:
            listing = self._s3.list_objects_v2(
                Bucket=self._bucket, Prefix=workspace_prefix(workspace_id), MaxKeys=min(budget, 1000)
            )
            keys = [{"Key": o["Key"]} for o in listing.get("Contents", [])]
            if keys:
                self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": keys, "Quiet": True})
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "s3"}) from exc
        return len(keys)
