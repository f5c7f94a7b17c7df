"""Creates every table, bucket, queue, KMS key, secret and schedule group of template.yaml in moto
(server or mock)."""

from __future__ import annotations

import json
from secrets import token_urlsafe
from typing import Any

from botocore.exceptions import ClientError

from socialpub.local.template import LocalResolver, Template, physical_name

_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")


def create_resources(
    template: Template, resolver: LocalResolver, session: Any, *, usage_plans: bool = True
) -> dict[str, str]:
    """Create what is missing; return logical id -> local physical name. Safe to call repeatedly.

    ``usage_plans=False`` leaves API Gateway out: moto's API Gateway imports pydantic, which the
    cold-start benchmark must leave for the functions under test to import."""
    created: dict[str, str] = {}
    ddb, s3, sqs = session.client("dynamodb"), session.client("s3"), session.client("sqs")
    existing_tables = set(ddb.list_tables()["TableNames"])
    for logical_id, props in template.of_type("AWS::DynamoDB::Table"):
        name = physical_name(logical_id, "AWS::DynamoDB::Table")
        created[logical_id] = name
        if name in existing_tables:
            continue
        spec = {k: props[k] for k in _TABLE_KEYS if k in props}
        for index in spec.get("GlobalSecondaryIndexes", []):
            index.pop("ProvisionedThroughput", None)
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **spec)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    buckets = list(template.of_type("AWS::S3::Bucket"))
    for logical_id, _ in buckets:
        name = physical_name(logical_id, "AWS::S3::Bucket")
        created[logical_id] = name
        try:
            s3.create_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
    # Dead-letter queues first: a queue's RedrivePolicy names its DLQ's ARN.
    queues = sorted(template.of_type("AWS::SQS::Queue"), key=lambda q: "RedrivePolicy" in q[1])
    for logical_id, props in queues:
        name = physical_name(logical_id, "AWS::SQS::Queue")
        created[logical_id] = name
        attributes: dict[str, str] = {
            k: str(props[k]) for k in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds") if k in props
        }
        if "RedrivePolicy" in props:
            policy = props["RedrivePolicy"]
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": resolver.resolve(policy["deadLetterTargetArn"]),
                    "maxReceiveCount": int(policy["maxReceiveCount"]),
                }
            )
        sqs.create_queue(QueueName=name, Attributes=attributes)
    # Once the queues exist: moto sends a bucket's notifications to SQS as S3 would.
    for logical_id, props in buckets:
        if "NotificationConfiguration" in props:
            s3.put_bucket_notification_configuration(
                Bucket=created[logical_id],
                NotificationConfiguration=notification_configuration(props["NotificationConfiguration"], resolver),
            )
    keys = list(template.of_type("AWS::KMS::Key"))
    if keys:
        kms = session.client("kms")
        aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
        for logical_id, _ in keys:
            alias = physical_name(logical_id, "AWS::KMS::Key")
            created[logical_id] = alias
            if alias not in aliases:
                kms.create_alias(AliasName=alias, TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    secrets = list(template.of_type("AWS::SecretsManager::Secret"))
    if secrets:
        sm = session.client("secretsmanager")
        for logical_id, props in secrets:
            created[logical_id] = logical_id
            try:
                # A generated secret (a signing key) gets a random value, as CloudFormation would make one.
                value = token_urlsafe(48) if "GenerateSecretString" in props else props.get("SecretString", "{}")
                sm.create_secret(Name=logical_id, SecretString=str(value))
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceExistsException":
                    raise
    plans = list(template.of_type("AWS::ApiGateway::UsagePlan")) if usage_plans else []
    if plans:
        # The tiers' plans, by their names (keys are metered on them; adapters/usage_plans.py).
        apigw = session.client("apigateway")
        existing_plans = {p["name"] for p in apigw.get_usage_plans().get("items", [])}
        for logical_id, props in plans:
            name = resolver.resolve(props["UsagePlanName"])
            created[logical_id] = name
            if name not in existing_plans:
                throttle = {
                    "rateLimit": float(props["Throttle"]["RateLimit"]),
                    "burstLimit": props["Throttle"]["BurstLimit"],
                }
                quota = {"limit": props["Quota"]["Limit"], "period": props["Quota"]["Period"]}
                apigw.create_usage_plan(name=name, throttle=throttle, quota=quota)
    groups = list(template.of_type("AWS::Scheduler::ScheduleGroup"))
    if groups:
        scheduler = session.client("scheduler")
        for logical_id, _ in groups:
            name = physical_name(logical_id, "AWS::Scheduler::ScheduleGroup")
            created[logical_id] = name
            try:
                scheduler.create_schedule_group(Name=name)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConflictException":
                    raise
    return created


def notification_configuration(cfn: dict[str, Any], resolver: LocalResolver) -> dict[str, Any]:
    """A bucket's NotificationConfiguration as the S3 API takes it (CloudFormation spells it
    differently: ``Event``/``Queue``/``S3Key.Rules`` for ``Events``/``QueueArn``/``Key.FilterRules``)."""
    unsupported = set(cfn) - {"QueueConfigurations"}
    if unsupported:
        raise NotImplementedError(f"The local stack sends bucket notifications to queues only, not {unsupported}")
    queues = []
    for entry in cfn["QueueConfigurations"]:
        queue: dict[str, Any] = {"QueueArn": resolver.resolve(entry["Queue"]), "Events": [entry["Event"]]}
        rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        if rules:
            queue["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
        queues.append(queue)
    return {"QueueConfigurations": queues}


def fill_integration_defaults(resolver: LocalResolver, session: Any) -> None:
    """Give the local deployment its own app on every OAuth network of the catalog (the emulator
    accepts any client), so connects work before anyone registers a configuration."""
    from socialpub.domain.platforms import catalog
    from socialpub.local.emulator.networks.discord import bot_token
    from socialpub.local.emulator.networks.farcaster import app_custody_key

    sm = session.client("secretsmanager")
    secret_id = resolver.ref("IntegrationDefaultsSecret")
    current = json.loads(sm.get_secret_value(SecretId=secret_id)["SecretString"] or "{}")
    defaults = {
        p.id: {
            "clientId": f"socialpub-local-{p.id}",
            "clientSecret": f"local-secret-{p.id}",
            # Discord posts as the app's bot: the emulator's bot token of this app
            **({"botToken": bot_token(f"socialpub-local-{p.id}")} if p.auth.app_bot_token else {}),
        }
        for p in catalog().values()
        if p.oauth_supported and not p.auth.per_instance
    }
    # Farcaster: the app's Neynar API key (any well-formed key is a Neynar app's, for the emulator), and the
    # emulated app's FID and custody key, so a connect without credentials makes a signer for the user to approve
    defaults.update(
        {
            p.id: {"apiKey": f"socialpub-local-{p.id}", "appFid": "1", "appCustodyKey": app_custody_key(1)}
            for p in catalog().values()
            if p.auth.auth_type == "SIGNER"
        }
    )
    # What is already there stays (a stack made before a credential was added gets only what it lacks)
    merged = {**defaults, **{k: {**defaults.get(k, {}), **v} for k, v in current.items() if isinstance(v, dict)}}
    if merged != current:
        sm.put_secret_value(SecretId=secret_id, SecretString=json.dumps(merged))
