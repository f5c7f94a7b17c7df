"""template.yaml agrees with the code, and follows the project's rules (least privilege, DLQs, PITR)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from socialpub.api.registry import ROUTERS
from socialpub.config import BaseSettings, PostScheduleSettings, SchedulingSettings
from socialpub.domain.tiers import TIER_LIMITS, Tier
from socialpub.local.template import ROOT, Template

FUNCTIONS = "AWS::Serverless::Function"


def functions(template: Template) -> dict[str, dict]:
    return dict(template.of_type(FUNCTIONS))


def test_usage_plans_match_the_tier_table(template: Template) -> None:
    # Given the tier numbers of domain/tiers.py, the one place they live
    for tier in Tier:
        plan = template.resources[f"{tier.value.capitalize()}UsagePlan"]["Properties"]
        limits = TIER_LIMITS[tier]
        # Then the gateway plan mirrors them: per-second rate, a minute's burst, the monthly quota
        assert plan["Throttle"] == {
            "RateLimit": limits.requests_per_minute // 60,
            "BurstLimit": limits.requests_per_minute,
        }
        assert plan["Quota"] == {"Limit": limits.monthly_quota, "Period": "MONTH"}
    assert TIER_LIMITS[Tier.STARTER].requests_per_minute == 60  # the seed's number


def test_runtime_and_architecture(template: Template) -> None:
    # cfn-lint does not check runtime names (reference/aws-local-tooling.md), so this test does.
    function_globals = template.body["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.12"
    assert function_globals["Architectures"] == ["arm64"]
    # Both layers are built by their Makefiles: the deps pip-installed as arm64 wheels for the runtime
    # (layers/deps/Makefile), the shared layer copied without its development code (shared/Makefile,
    # tests/infra/test_artifact.py); both compiled to the runtime's bytecode.
    for layer_id, _ in template.of_type("AWS::Serverless::LayerVersion"):
        assert template.resources[layer_id]["Metadata"]["BuildMethod"] == "makefile"
        assert template.resources[layer_id]["Metadata"]["BuildArchitecture"] == "arm64"


def test_api_uses_authorizer_api_keys(template: Template) -> None:
    api = template.resources["Api"]["Properties"]
    assert api["ApiKeySourceType"] == "AUTHORIZER"
    assert api["Auth"]["ApiKeyRequired"] is True
    assert api["Auth"]["Authorizers"]["ApiKeyAuthorizer"]["FunctionPayloadType"] == "REQUEST"
    # Every gateway refusal speaks the error envelope
    for name, response in api["GatewayResponses"].items():
        body = response["ResponseTemplates"]["application/json"]
        assert body.startswith('{"success": false, "error": {"code": '), name


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_each_router_has_its_function(template: Template, name: str) -> None:
    # URL plural = router module = functions/<name>/ = <Name>Function
    logical_id = "".join(part.capitalize() for part in name.split("_")) + "Function"
    props = functions(template)[logical_id]
    assert props["CodeUri"] == f"functions/{name}/"
    # (a router module, or a surface package such as socialpub.api.postsider)
    assert f"import {name}\n" in (ROOT / "functions" / name / "app.py").read_text()
    paths = {e["Properties"]["Path"] for e in props["Events"].values() if e["Type"] == "Api"}
    prefixes = getattr(ROUTERS[name], "PREFIXES", (ROUTERS[name].router.prefix,))
    assert paths
    assert all(p.startswith(prefixes) for p in paths)
    # And the function's environment defines every variable its settings model requires
    settings: type[BaseSettings] = ROUTERS[name].SETTINGS
    env = template.function_environment(logical_id)
    required = {f.alias for f in settings.model_fields.values() if f.is_required()}
    assert required <= set(env), required - set(env)


def test_every_function_code_dir_exists_and_policies_are_scoped(template: Template) -> None:
    for logical_id, props in functions(template).items():
        assert (ROOT / props["CodeUri"] / "app.py").exists(), logical_id
        for policy in props.get("Policies", []):
            assert isinstance(policy, dict), f"{logical_id}: inline statements only"
            assert "Statement" in policy, f"{logical_id}: inline statements only"
            for statement in policy["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert all("*" not in a for a in actions), f"{logical_id}: wildcard action {actions}"
                assert statement["Resource"] != "*", f"{logical_id}: wildcard resource"


def test_queues_have_dead_letter_queues_and_tables_are_protected(template: Template) -> None:
    queues = dict(template.of_type("AWS::SQS::Queue"))
    dlqs = {q["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] for q in queues.values() if "RedrivePolicy" in q}
    for logical_id in queues:
        assert logical_id in dlqs or "RedrivePolicy" in queues[logical_id], f"{logical_id} has no DLQ"
    for logical_id, props in template.of_type("AWS::DynamoDB::Table"):
        assert props["BillingMode"] == "PAY_PER_REQUEST", logical_id
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, logical_id
        assert props["SSESpecification"]["SSEEnabled"] is True, logical_id


BANNED_IN_DOMAIN = ("boto3", "botocore", "fastapi", "starlette", "mangum", "aws_lambda_powertools", "requests")


@pytest.mark.parametrize("path", sorted((ROOT / "shared/socialpub/domain").rglob("*.py")), ids=lambda p: p.name)
def test_domain_imports_no_aws_or_web_framework(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0] in BANNED_IN_DOMAIN}


def test_the_package_version_is_the_projects() -> None:
    import tomllib

    import socialpub

    assert socialpub.__version__ == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_admin_dashboard_shows_every_function_and_queue(template: Template) -> None:
    import json
    import re

    body = template.resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    # Given the dashboard with CloudFormation's substitutions filled in, it is valid JSON
    widgets = json.loads(re.sub(r"\$\{([^}]+)\}", lambda m: m.group(1), body))["widgets"]
    titles = {w["properties"]["title"]: w["properties"]["metrics"] for w in widgets}
    # Then every function's errors, throttles and duration are on it
    functions = {logical_id for logical_id, _ in template.of_type("AWS::Serverless::Function")}
    for title in ("Functions: errors", "Functions: throttles", "Functions: duration p95 (ms)"):
        assert {m[3] for m in titles[title]} == functions, title
    # And every queue's depth, and every dead-letter queue
    queues = {logical_id for logical_id, _ in template.of_type("AWS::SQS::Queue")}
    shown = {m[3].removesuffix(".QueueName") for metrics in titles.values() for m in metrics if m[0] == "AWS/SQS"}
    assert queues <= shown, queues - shown
    # And the API's errors and latency, publishes per network, and late scheduled posts
    assert {"API: 4xx and 5xx answers", "API: latency (ms)", "Publishes per network: published"} <= set(titles)
    assert any("LateScheduledPosts" in m for m in titles[next(t for t in titles if "missed" in t)])


# The compatible surfaces write posts and schedules with the same services as PostsFunction.
_POST_ROUTE_ACTIONS = {
    "dynamodb:BatchGetItem",  # the plan's limits: the tiers of the workspace's keys
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "s3:DeleteObject",  # a deleted post's files
    "scheduler:CreateSchedule",
    "scheduler:DeleteSchedule",
    "iam:PassRole",  # the role schedules send to the publish queue with
}


@pytest.mark.parametrize(
    ("function", "extra"),
    [("PostsiderFunction", {"sqs:SendMessage"}), ("PubloraFunction", {"scheduler:UpdateSchedule"})],
)
def test_the_compatible_surfaces_may_do_what_their_post_routes_do(
    template: Template, function: str, extra: set[str]
) -> None:
    # Given a compatible surface's function in template.yaml
    env = template.function_environment(function)
    actions = {
        action
        for policy in template.resources[function]["Properties"]["Policies"]
        for statement in policy["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    # Then it has the settings scheduling reads (the schedules' target, role and dead-letter queue too)
    needed = {f.alias for f in SchedulingSettings.model_fields.values() if f.is_required()}
    needed |= {f.alias for f in PostScheduleSettings.model_fields.values()}
    assert needed <= set(env), needed - set(env)
    # And the calls its post routes make: posts, their files, schedules (PostSider's type now queues targets;
    # Publora's update-post moves a schedule)
    assert _POST_ROUTE_ACTIONS | extra <= actions, (_POST_ROUTE_ACTIONS | extra) - actions
