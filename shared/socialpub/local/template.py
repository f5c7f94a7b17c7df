"""Reads template.yaml: its resources, and each function's environment resolved to local names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(name: str) -> Any:
    def construct(loader: _CfnLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _short in ("Ref", "Condition"):
    _CfnLoader.add_constructor(f"!{_short}", _tag(_short))
for _fn in ("GetAtt", "Sub", "If", "Not", "Equals", "And", "Or", "Join", "Select", "Split", "FindInMap", "ImportValue"):
    _CfnLoader.add_constructor(f"!{_fn}", _tag(f"Fn::{_fn}"))


@dataclass(frozen=True)
class Template:
    body: dict[str, Any]

    @classmethod
    def load(cls, path: Path = TEMPLATE_PATH) -> Template:
        return cls(yaml.load(path.read_text(), Loader=_CfnLoader))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.body["Resources"]
        return resources

    def of_type(self, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if resource["Type"] == resource_type:
                yield logical_id, resource.get("Properties", {})

    def parameter_defaults(self) -> dict[str, str]:
        return {k: str(v.get("Default", "")) for k, v in self.body.get("Parameters", {}).items()}

    def function_environment(self, logical_id: str) -> dict[str, Any]:
        globals_env = self.body.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        own = self.resources[logical_id]["Properties"].get("Environment", {}).get("Variables", {})
        return {**globals_env, **own}


def physical_name(logical_id: str, resource_type: str) -> str:
    """Local names: tables and queues keep their logical id; buckets need lower case."""
    if resource_type == "AWS::S3::Bucket":
        return f"socialpub-local-{logical_id.lower()}"
    if resource_type == "AWS::KMS::Key":
        return f"alias/{logical_id}"  # KMS takes an alias wherever it takes a key id
    return logical_id


def queue_url(endpoint: str, name: str) -> str:
    return f"{endpoint}/{ACCOUNT}/{name}"


class LocalResolver:
    """Resolves Ref / GetAtt / Sub in environment values the way CloudFormation would, locally."""

    def __init__(self, template: Template, endpoint: str, stage: str = "local") -> None:
        self._template = template
        self._endpoint = endpoint
        self._params = {**template.parameter_defaults(), "Stage": stage, "AWS::Region": REGION}

    def ref(self, logical_id: str) -> str:
        if logical_id in self._params:
            return self._params[logical_id]
        resource_type = self._template.resources[logical_id]["Type"]
        name = physical_name(logical_id, resource_type)
        return queue_url(self._endpoint, name) if resource_type == "AWS::SQS::Queue" else name

    def arn(self, logical_id: str) -> str:
        resource_type = self._template.resources[logical_id]["Type"]
        name = physical_name(logical_id, resource_type)
        if resource_type == "AWS::IAM::Role":
            return f"arn:aws:iam::{ACCOUNT}:role/{name}"
        service = {
            "AWS::DynamoDB::Table": "dynamodb",
            "AWS::SQS::Queue": "sqs",
            "AWS::S3::Bucket": "s3",
            "AWS::KMS::Key": "kms",
        }[resource_type]
        if service == "kms":
            return f"arn:aws:kms:{REGION}:{ACCOUNT}:{name}"
        if service == "s3":
            return f"arn:aws:s3:::{name}"
        if service == "dynamodb":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def resolve(self, value: Any) -> str:
        if isinstance(value, dict) and "Ref" in value:
            return self.ref(value["Ref"])
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            if attribute == "Arn":
                return self.arn(logical_id)
            if attribute == "QueueName":
                return physical_name(logical_id, "AWS::SQS::Queue")
            raise ValueError(f"Unsupported GetAtt {logical_id}.{attribute} in a local environment")
        if isinstance(value, dict) and "Fn::Sub" in value:
            text = str(value["Fn::Sub"])
            for name in [*self._params, *self._template.resources]:
                text = text.replace("${" + name + "}", self.ref(name))
            return text
        return str(value)

    def environment(self, logical_id: str) -> dict[str, str]:
        return {k: self.resolve(v) for k, v in self._template.function_environment(logical_id).items()}
