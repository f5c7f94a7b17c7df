"""SnapStart is on where it is safe and useful (the authorizer and the API functions), and every way
into them goes through the published alias (docs/operations.md#snapstart)."""

from __future__ import annotations

from socialpub.local.template import ROOT, Template
from tests.infra.test_template import functions

SNAPSTART = {"ApplyOn": "PublishedVersions"}


def _snapshotted(template: Template) -> dict[str, dict]:
    return {name: props for name, props in functions(template).items() if props.get("SnapStart") == SNAPSTART}


def _serves_the_api(props: dict) -> bool:
    return any(event["Type"] == "Api" for event in props.get("Events", {}).values())


def test_the_authorizer_and_every_api_function_resume_from_a_snapshot(template: Template) -> None:
    # Given the functions that answer API requests (a client waits for their cold start)
    api = {name for name, props in functions(template).items() if _serves_the_api(props)}
    # Then each of them, and the authorizer in front of them, runs from a SnapStart snapshot
    assert api
    assert api | {"AuthorizerFunction"} == set(_snapshotted(template))
    runtime = template.body["Globals"]["Function"]["Runtime"]
    assert runtime.startswith("python3.")
    assert int(runtime.removeprefix("python3.")) >= 12  # Python SnapStart starts at 3.12


def test_a_snapshotted_function_is_published_and_registers_the_restore_hooks(template: Template) -> None:
    for name, props in _snapshotted(template).items():
        # SnapStart only applies to published versions: sam publishes one per change and points the
        # alias (and the function's own events) at it
        assert props["AutoPublishAlias"] == "live", name
        # a change of configuration or of a layer publishes too, or the alias would keep the old code
        assert props["AutoPublishAliasAllProperties"] is True, name
        # the version a deploy replaces is deleted, and with it the snapshot Lambda charges for caching
        assert props["VersionDeletionPolicy"] == "Delete", name
        # What SnapStart does not support (Lambda's "Supported features and limitations")
        assert "ProvisionedConcurrencyConfig" not in props, name
        assert "FileSystemConfigs" not in props, name
        assert props.get("EphemeralStorage", {}).get("Size", 512) <= 512, name
        # The code drops its clients and reseeds random after a restore (socialpub/snapstart.py),
        # through lambda_entry or the hooks themselves
        source = (ROOT / props["CodeUri"] / "app.py").read_text()
        assert "lambda_entry(" in source or "snapstart.prime(" in source, name


def test_a_new_layer_version_publishes_a_new_function_version(template: Template) -> None:
    # The product's code is in the layers: without this, a deploy that changes only shared/ would
    # leave every alias on its old version (sam hashes a layer's properties into the version's id
    # only when the layer says so)
    layers = dict(template.of_type("AWS::Serverless::LayerVersion"))
    assert layers
    for layer_id, props in layers.items():
        assert props["PublishLambdaVersion"] is True, layer_id


def test_the_authorizers_invoke_the_published_alias(template: Template) -> None:
    # An authorizer naming the function's ARN would invoke $LATEST, which has no snapshot
    authorizers = template.resources["Api"]["Properties"]["Auth"]["Authorizers"]
    for name, authorizer in authorizers.items():
        assert authorizer["FunctionArn"] == {"Ref": "AuthorizerFunction.Alias"}, name


def test_no_other_resource_invokes_a_snapshotted_function_by_its_unpublished_arn(template: Template) -> None:
    # sam points a function's own events at its alias; anything else (a rule, a schedule, a
    # permission) written by hand must name the alias too
    snapshotted = set(_snapshotted(template))
    text = (ROOT / "template.yaml").read_text()
    for name in snapshotted:
        assert f"!GetAtt {name}.Arn" not in text, name
