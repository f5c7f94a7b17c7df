"""`socialpub`: operator commands against the local stack (default) or a deployed stack (--stack).

socialpub admin create --email ops@example.com [--name "Ops"] [--role admin]
socialpub keys create --name "CI" --tier starter [--workspace ws_...] [--permission posts.read ...]
socialpub keys list
socialpub keys revoke key_...
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialpub.domain.errors import DomainError
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from socialpub.domain.tiers import Tier
from socialpub.domain.users import Role

LOCAL_FILE = Path(os.environ.get("SOCIALPUB_HOME", ".socialpub")) / "local.json"


def _now() -> datetime:
    return datetime.now(UTC)


class Target:
    """Where the tables are: names and endpoint of the local stack, or a CloudFormation stack's outputs."""

    def __init__(self, stack: str | None, region: str | None) -> None:
        import boto3

        self.plan_ids: dict[Tier, str] = {}
        self.endpoint: str | None = None  # a deployed stack uses AWS's own endpoints
        if stack:
            session = boto3.session.Session(region_name=region)
            outputs = {
                o["OutputKey"]: o["OutputValue"]
                for o in session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
            }
            self.tables = {
                "keys": outputs["ApiKeysTableName"],
                "workspaces": outputs["WorkspacesTableName"],
                "users": outputs["UsersTableName"],
            }
            self.plan_ids = {tier: outputs[f"{tier.value.capitalize()}UsagePlanId"] for tier in Tier}
        else:
            if not LOCAL_FILE.exists():
                raise SystemExit(f"No local stack found ({LOCAL_FILE} is missing): run `make dev`, or pass --stack.")
            local = json.loads(LOCAL_FILE.read_text())
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
            session = boto3.session.Session(region_name="us-east-1")
            self.endpoint = local["aws_endpoint_url"]
            self.tables = {"keys": "ApiKeysTable", "workspaces": "WorkspacesTable", "users": "UsersTable"}
        self.session = session

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)


def _keys_repo(target: Target) -> Any:
    from socialpub.adapters.dynamodb.api_keys import DynamoApiKeyRepository

    return DynamoApiKeyRepository(target.client("dynamodb"), target.tables["keys"], target.tables["workspaces"])


def cmd_admin_create(args: argparse.Namespace, target: Target) -> dict[str, Any]:
    from socialpub.adapters.dynamodb.users import DynamoAdminUserRepository
    from socialpub.domain.services.users import create_admin_user

    generated = args.password is None and not sys.stdin.isatty()
    password = args.password or (secrets.token_urlsafe(18) if generated else getpass.getpass("Password: "))
    repo = DynamoAdminUserRepository(target.client("dynamodb"), target.tables["users"])
    user = create_admin_user(
        email=args.email, name=args.name, password=password, role=Role(args.role), repo=repo, clock=_now
    )
    shown = {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value}
    return {**shown, "password": password} if generated else shown


def cmd_keys_create(args: argparse.Namespace, target: Target) -> dict[str, Any]:
    from socialpub.domain.services.keys import create_api_key

    meter = None
    if target.plan_ids:
        from socialpub.adapters.usage_plans import ApiGatewayUsagePlans

        meter = ApiGatewayUsagePlans(target.client("apigateway"), target.plan_ids).bind
    key, plaintext = create_api_key(
        name=args.name,
        tier=Tier(args.tier),
        permissions=[Permission(p) for p in args.permission] if args.permission else ALL_PERMISSIONS,
        workspaces=args.workspace or (),
        repo=_keys_repo(target),
        clock=_now,
        meter=meter,
    )
    return {"id": key.id, "name": key.name, "api_key": plaintext, "tier": key.tier.value, "note": "shown once"}


def cmd_keys_list(args: argparse.Namespace, target: Target) -> list[dict[str, Any]]:
    return [
        {
            "id": k.id,
            "name": k.name,
            "prefix": k.prefix,
            "tier": k.tier.value,
            "is_active": k.is_active,
            "workspaces": sorted(k.workspaces),
            "permissions": sorted(k.permissions),
            "created_at": k.created_at.isoformat(),
        }
        for k in _keys_repo(target).list()
    ]


def cmd_keys_revoke(args: argparse.Namespace, target: Target) -> dict[str, Any]:
    _keys_repo(target).revoke(args.key_id)
    return {"id": args.key_id, "is_active": False}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="socialpub", description="Operate a socialpub stack.")
    root.add_argument("--stack", help="CloudFormation stack name of a deployed stack (default: the local stack)")
    root.add_argument("--region", help="AWS region of --stack")
    groups = root.add_subparsers(dest="group", required=True)

    admin = groups.add_parser("admin", help="admin users").add_subparsers(dest="command", required=True)
    create_admin = admin.add_parser("create", help="create an admin-plane user")
    create_admin.add_argument("--email", required=True)
    create_admin.add_argument("--name", default="Administrator")
    create_admin.add_argument("--role", default="admin", choices=[r.value for r in Role])
    create_admin.add_argument("--password", help="default: prompt (or generate and print when not on a terminal)")
    create_admin.set_defaults(run=cmd_admin_create)

    keys = groups.add_parser("keys", help="API keys").add_subparsers(dest="command", required=True)
    create_key = keys.add_parser("create", help="create an API key (printed once)")
    create_key.add_argument("--name", required=True)
    create_key.add_argument("--tier", default="starter", choices=[t.value for t in Tier])
    create_key.add_argument("--workspace", action="append", help="grant a workspace (repeatable)")
    create_key.add_argument(
        "--permission", action="append", choices=sorted(p.value for p in Permission), help="default: all"
    )
    create_key.set_defaults(run=cmd_keys_create)
    keys.add_parser("list", help="list API keys").set_defaults(run=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke an API key at once")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=cmd_keys_revoke)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result = args.run(args, Target(args.stack, args.region))
    except DomainError as exc:
        print(
            json.dumps({"error": {"code": exc.code, "message": exc.message, "details": exc.details}}), file=sys.stderr
        )
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
