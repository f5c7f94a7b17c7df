"""Sealed secrets: KMS with an encryption context, masked when shown, and kept across local restarts."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from socialpub.adapters.secrets import KmsSecretBox
from socialpub.domain.errors import InvalidInput
from socialpub.domain.secrets import mask
from socialpub.local.emulator import EmulatorState
from socialpub.local.resources import create_resources
from socialpub.local.snapshot import Gate, Snapshots
from socialpub.local.template import LocalResolver, Template, physical_name
from tests.conftest import MOCK_ENDPOINT

ALIAS = physical_name("SecretsKey", "AWS::KMS::Key")


def test_mask_shows_four_characters_of_long_values_only() -> None:
    assert mask("e9ca1234567890abcdef") == "e9ca****************"
    assert mask("short") == "*****"
    assert mask("") == ""


def test_sealed_value_opens_only_with_its_context(aws: dict[str, str]) -> None:
    box = KmsSecretBox(boto3.client("kms"), ALIAS)
    context = {"workspace_id": "ws_1", "record": "configuration/abc", "field": "clientSecret"}
    sealed = box.seal("s3cr3t-value", context)
    assert "s3cr3t" not in sealed
    assert box.open(sealed, context) == "s3cr3t-value"
    # Moved to another record, it does not open
    with pytest.raises(ClientError):
        box.open(sealed, {**context, "workspace_id": "ws_2"})
    with pytest.raises(InvalidInput):
        box.seal("x" * 5000, context)


def test_local_stack_keeps_its_key_across_restarts(template: Template, tmp_path: Path) -> None:
    context = {"workspace_id": "ws_1"}
    # Given a value sealed in one run of the local stack, saved by its snapshot
    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        create_resources(template, LocalResolver(template, MOCK_ENDPOINT), session)
        sealed = KmsSecretBox(session.client("kms"), ALIAS).seal("token", context)
        Snapshots(template, session, tmp_path, Gate(), EmulatorState()).save()
    # When a fresh moto (a restart) creates its resources and loads the snapshot
    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        create_resources(template, LocalResolver(template, MOCK_ENDPOINT), session)
        Snapshots(template, session, tmp_path, Gate(), EmulatorState()).load()
        # Then the value still opens
        assert KmsSecretBox(session.client("kms"), ALIAS).open(sealed, context) == "token"
