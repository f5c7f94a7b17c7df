"""What ships runs: every function of template.yaml, from the built layers and code alone, against moto.

The artifact is built for this host the way `sam build` packs it for Lambda (its arm64 wheels cannot be
imported on an x86_64 host): ``pip install --target`` of layers/deps/requirements.txt with the runtime's
Python (3.12), split as layers/deps/Makefile splits it (Pillow's distributions, which `make
print-PillowLayer` names, in the PillowLayer, the rest in the DepsLayer); the SharedLayer is
shared/Makefile's ``build-SharedLayer`` (the target sam runs), and each function's code is its CodeUri
folder. Each function then runs in a bare interpreter (tests/infra/artifact_runner.py: no venv, no
site-packages) whose path holds only its code and the layers template.yaml gives it, with its template
environment, against a moto server on loopback that holds the resources of template.yaml. A module
its layers do not provide fails here as it would on Lambda.

The deps install is cached under .socialpub/artifact-cache/, keyed by the requirements file and the
interpreter, so only the first run (or a dependency change) downloads wheels.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from scripts.bench_cold_start import ADMIN_LOGIN, ADMIN_SESSION, FIXTURES, KEY_HEADERS, admin_token, with_bearer
from socialpub.adapters.dynamodb.api_keys import DynamoApiKeyRepository
from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.dynamodb.users import DynamoAdminUserRepository
from socialpub.domain.posts import Post
from socialpub.domain.services.keys import create_api_key
from socialpub.domain.services.users import create_admin_user
from socialpub.domain.tiers import Tier
from socialpub.domain.users import Role
from socialpub.local.resources import create_resources
from socialpub.local.template import ROOT, LocalResolver, Template

pytestmark = pytest.mark.slow  # starts an interpreter per function

REQUIREMENTS = ROOT / "layers" / "deps" / "requirements.txt"
CACHE = ROOT / ".socialpub" / "artifact-cache"
RUNNER = Path(__file__).with_name("artifact_runner.py")
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# The event fixtures' workspace, post and admin (the same ones scripts/bench_cold_start.py seeds).
WORKSPACE, POST = "ws_bench", "post_bench"
ADMIN_EMAIL, ADMIN_PASSWORD = "bench@example.com", "bench admin password"
FUNCTIONS = "AWS::Serverless::Function"


def _functions() -> list[tuple[str, str]]:
    """(logical id, CodeUri folder name) of every function of template.yaml."""
    return [(logical_id, Path(props["CodeUri"]).name) for logical_id, props in Template.load().of_type(FUNCTIONS)]


def function_layers(template: Template, logical_id: str) -> list[str]:
    """The logical ids of a function's layers, in Lambda's order: Globals' first, then its own (sam
    merges the two lists)."""
    listed = template.body.get("Globals", {}).get("Function", {}).get("Layers", [])
    listed = [*listed, *template.resources[logical_id]["Properties"].get("Layers", [])]
    return [layer["Ref"] for layer in listed]


def pillow_distributions() -> list[str]:
    """The distributions layers/deps/Makefile puts in the PillowLayer (the DepsLayer has the others)."""
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT / "layers" / "deps"), "print-PillowLayer"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return printed.split()


# ---------------------------------------------------------------- building what ships, for this host


def host_python() -> str:
    """The Lambda runtime's Python (3.12) on this machine; the venv's Python if there is none."""
    pyenv = sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))
    if pyenv:
        return str(pyenv[-1])
    return shutil.which("python3.12") or sys.executable


def _uv() -> str | None:
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv")


def deps_layers(python: str) -> dict[str, Path]:
    """The DepsLayer's and the PillowLayer's folders (each holds ``python/``), installed once per
    requirements file, split and interpreter."""
    interpreter = subprocess.run(
        [python, "-I", "-c", "import sys, sysconfig; print(sys.version, sysconfig.get_platform())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pillow = pillow_distributions()
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + interpreter.encode() + " ".join(pillow).encode()).hexdigest()[:16]
    layer = CACHE / f"deps-{key}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers: one installs, the others wait and reuse it
        if not (layer / "DepsLayer" / "python").is_dir():
            for stale in CACHE.iterdir():  # older requirements, or an interrupted install
                # a day old at least: another checkout's test or benchmark may still be reading it
                if stale.is_dir() and stale.stat().st_mtime < time.time() - 86_400:
                    shutil.rmtree(stale, ignore_errors=True)
            shutil.rmtree(CACHE / f"staging-{key}", ignore_errors=True)  # ours, interrupted (under the lock)
            staging = CACHE / f"staging-{key}"
            target = str(staging / "DepsLayer" / "python")
            uv = _uv()
            command = (
                [uv, "pip", "install", "--quiet", "--python", python, "--target", target, "-r", str(REQUIREMENTS)]
                if uv
                else [python, "-m", "pip", "install", "--quiet", "--target", target, "-r", str(REQUIREMENTS)]
            )
            subprocess.run(command, check=True, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"}, timeout=900)
            split_off(staging / "DepsLayer" / "python", staging / "PillowLayer" / "python", pillow)
            compile_bytecode(python, staging)
            staging.rename(layer)  # complete or absent: a crash mid-install leaves only staging-*
    return {name: layer / name for name in ("DepsLayer", "PillowLayer")}


def split_off(source: Path, target: Path, distributions: list[str]) -> None:
    """Move the installed ``distributions`` (every top-level entry their RECORD lists: packages,
    bundled libraries, metadata) from ``source`` into ``target``."""
    from importlib.metadata import distributions as installed

    wanted = {name.lower() for name in distributions}
    found = set()
    target.mkdir(parents=True, exist_ok=True)
    for dist in installed(path=[str(source)]):
        if dist.metadata["Name"].lower() not in wanted:
            continue
        found.add(dist.metadata["Name"].lower())
        for top in sorted({Path(str(f)).parts[0] for f in dist.files or []} - {"..", "bin"}):
            if (source / top).exists():
                shutil.move(source / top, target / top)
    assert found == wanted, f"not installed: {sorted(wanted - found)}"


def compile_bytecode(python: str, folder: Path) -> None:
    """Byte-compile once what every interpreter would otherwise compile again (they run with -B, as
    on Lambda's read-only /opt and /var/task): the same code, faster to import."""
    subprocess.run([python, "-I", "-m", "compileall", "-q", "-j", "0", str(folder)], check=True, capture_output=True)


def shared_layer(into: Path) -> Path:
    """The SharedLayer's content, made by the Makefile target that `sam build` runs."""
    subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(ROOT / "shared"),
            "build-SharedLayer",
            f"ARTIFACTS_DIR={into}",
            f"PYTHON={host_python()}",
        ],
        check=True,
        capture_output=True,
    )
    return into


@dataclass(frozen=True)
class Artifact:
    python: str
    layers: dict[str, Path]  # by logical id, as Lambda mounts them under /opt: each holds python/
    code: Path  # one folder per function, as /var/task

    def path(self, logical_id: str, function: str) -> list[str]:
        """The function's code, then only the layers template.yaml gives it, in their order."""
        layers = function_layers(Template.load(), logical_id)
        return [str(self.code / function), *(str(self.layers[layer] / "python") for layer in layers)]


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    python = host_python()
    built = tmp_path_factory.mktemp("artifact")
    code = built / "functions"
    for _, name in _functions():
        shutil.copytree(ROOT / "functions" / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    shared = shared_layer(built / "shared")
    compile_bytecode(python, built)
    return Artifact(python, {**deps_layers(python), "SharedLayer": shared}, code)


# ---------------------------------------------------------------- moto on loopback, seeded


@dataclass(frozen=True)
class Stack:
    endpoint: str
    resolver: LocalResolver
    session: Any
    api_key: str
    key_id: str

    def environment(self, logical_id: str) -> dict[str, str]:
        return self.resolver.environment(logical_id)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        template = Template.load()
        resolver = LocalResolver(template, endpoint, stage="test")
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_ENDPOINT_URL", endpoint)  # create_resources makes its clients from the session
            session = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
            )
            create_resources(template, resolver, session)
        ddb = session.client("dynamodb", endpoint_url=endpoint)
        now = datetime.now(UTC)
        key, plaintext = create_api_key(
            name="artifact gate",
            tier=Tier.ENTERPRISE,
            repo=DynamoApiKeyRepository(ddb, resolver.ref("ApiKeysTable")),
            clock=lambda: now,
        )
        create_admin_user(
            email=ADMIN_EMAIL,
            name="Artifact gate",
            password=ADMIN_PASSWORD,
            role=Role.ADMIN,
            repo=DynamoAdminUserRepository(ddb, resolver.ref("UsersTable")),
            clock=lambda: now,
        )
        yield Stack(endpoint, resolver, session, plaintext, key.id)
    finally:
        server.stop()


def seed_workspace(stack: Stack) -> None:
    """The event fixtures' workspace with a draft post; before every test, as the purger's event deletes
    them (so the tests run in any order)."""
    ddb = stack.session.client("dynamodb", endpoint_url=stack.endpoint)
    table = stack.resolver.ref("WorkspacesTable")
    ddb.put_item(
        TableName=table,
        Item={"pk": {"S": f"WS#{WORKSPACE}"}, "sk": {"S": "META"}, "id": {"S": WORKSPACE}, "status": {"S": "active"}},
    )
    posts = DynamoPostRepository(ddb, table)
    if posts.get(WORKSPACE, POST) is None:
        now = datetime.now(UTC)
        posts.create(
            Post(
                id=POST,
                workspace_id=WORKSPACE,
                content="Launch day",
                platforms=["twitter", "linkedin"],
                created_at=now,
                updated_at=now,
            )
        )


def workspace_key(stack: Stack) -> str:
    """A key scoped to the fixtures' workspace (after ``seed_workspace``), as PostSider clients use one."""
    ddb = stack.session.client("dynamodb", endpoint_url=stack.endpoint)
    repo = DynamoApiKeyRepository(ddb, stack.resolver.ref("ApiKeysTable"), stack.resolver.ref("WorkspacesTable"))
    now = datetime.now(UTC)
    _, plaintext = create_api_key(
        name="artifact gate (workspace)", tier=Tier.ENTERPRISE, repo=repo, clock=lambda: now, workspaces=(WORKSPACE,)
    )
    return plaintext


# ---------------------------------------------------------------- one invocation in a bare interpreter


def invoke(artifact: Artifact, stack: Stack, logical_id: str, function: str, event: dict[str, Any]) -> Any:
    """Run the function's handler in ``python -I -S`` with only its code and the layers on the path."""
    with tempfile.TemporaryDirectory() as scratch:
        result_file = Path(scratch) / "result.json"
        job: dict[str, Any] = {
            "path": artifact.path(logical_id, function),
            "handler": "app.handler",  # Globals.Function.Handler (tests/infra/test_template.py)
            "event": event,
            "function_name": logical_id,
            "result": str(result_file),
        }
        environment = {
            **CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": stack.endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": logical_id,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "LAMBDA_TASK_ROOT": job["path"][0],
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            **stack.environment(logical_id),
        }
        proc = subprocess.run(
            [artifact.python, "-I", "-S", "-B", str(RUNNER)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            env=environment,
            cwd=scratch,
            timeout=300,
            check=False,
        )
        output = f"exit {proc.returncode}\n{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}"
        assert result_file.exists(), f"{function}: the interpreter died before answering:\n{output}"
        result = json.loads(result_file.read_text())
    assert "error" not in result, f"{function} failed from the built artifact:\n{result['error']}"
    assert result["outsiders"] == [], f"{function} loaded modules from outside its code and layers"
    return result["response"]


@pytest.mark.parametrize(("logical_id", "function"), _functions(), ids=[f for _, f in _functions()])
def test_every_function_runs_from_the_built_artifact(
    artifact: Artifact, stack: Stack, logical_id: str, function: str
) -> None:
    # Given the shipped layers and code of the function, and moto holding the stack's resources
    assert function in FIXTURES, f"{function} has no event in events/ (FIXTURES of scripts/bench_cold_start.py)"
    event_path, kind = FIXTURES[function]
    event = json.loads((ROOT / event_path).read_text())
    seed_workspace(stack)
    if kind == "authorizer":
        event["headers"]["X-API-Key"] = stack.api_key
        event.setdefault("multiValueHeaders", {})["X-API-Key"] = [stack.api_key]
    if kind in KEY_HEADERS:  # a key of the fixtures' workspace, checked by the function itself
        header = KEY_HEADERS[kind]
        event["headers"][header] = workspace_key(stack)
        event.setdefault("multiValueHeaders", {})[header] = [event["headers"][header]]
        kind = "api"
    if kind == ADMIN_SESSION:  # an admin's session token, from a login in the shipped function first
        login = json.loads((ROOT / ADMIN_LOGIN).read_text())
        event = with_bearer(event, admin_token(invoke(artifact, stack, logical_id, function, login)))
        kind = "api"

    # When Lambda would import the function and hand it its event
    response = invoke(artifact, stack, logical_id, function, event)

    # Then it answers as it must behind API Gateway, SQS or the scheduler
    shown = json.dumps(response)[:800]
    assert isinstance(response, dict), shown
    if kind == "api":
        assert response.get("statusCode") in (200, 201), shown
        json.loads(response.get("body") or "null")
    elif kind == "authorizer":
        assert response["principalId"] == stack.key_id, shown
        assert {s["Effect"] for s in response["policyDocument"]["Statement"]} == {"Allow"}, shown
    elif kind == "sqs":
        assert response.get("batchItemFailures") == [], shown
    elif kind == "schedule":
        assert response.get("failed") == 0, shown
    elif kind == "summary":
        assert response, shown
        assert all(isinstance(v, int) for v in response.values()), shown
    else:
        pytest.fail(f"{function}: unknown kind of answer {kind!r}")


def test_the_shared_layer_ships_no_development_code(tmp_path: Path) -> None:
    # Given the SharedLayer as shared/Makefile builds it for sam
    package = shared_layer(tmp_path) / "python" / "socialpub"
    # Then the product is there, and the local stack, the emulator, the local app and the CLI are not
    assert (package / "workers" / "publisher.py").exists()
    assert not (package / "local").exists()
    assert not (package / "api" / "local.py").exists()
    assert not (package / "cli.py").exists()
    # And every module ships compiled for the runtime's Python only (no developer's bytecode), in bytecode
    # the interpreter uses without comparing timestamps (flags 0b01: hash-based, unchecked)
    sources = {p.with_suffix("") for p in package.rglob("*.py")}
    compiled = list(package.rglob("*.pyc"))
    assert {p.parent.parent / p.name.split(".")[0] for p in compiled} == sources
    assert {p.name.split(".")[1] for p in compiled} == {"cpython-312"}
    assert {int.from_bytes(p.read_bytes()[4:8], "little") for p in compiled} == {1}


# The functions that read or convert images (adapters/media_probe.py, adapters/image_convert.py): media
# uploads, PostSider's uploads, the media processor, the publisher's JPEG copies. Pillow is a third of the
# dependencies' size: every other function loads a layer without it.
IMAGING = {"MediaFunction", "PostsiderFunction", "MediaProcessorFunction", "PublisherFunction"}


def test_pillow_ships_in_its_own_layer_to_the_functions_that_read_images(artifact: Artifact) -> None:
    # Given the layers as layers/deps/Makefile splits them, and template.yaml's functions
    template = Template.load()
    pillow = artifact.layers["PillowLayer"] / "python"
    deps = artifact.layers["DepsLayer"] / "python"
    # Then Pillow is in the PillowLayer only, which holds nothing else
    assert (pillow / "PIL" / "Image.py").exists()
    assert not (deps / "PIL").exists()
    assert not any(deps.glob("pillow*"))
    assert {p.name.split("-")[0].split(".")[0] for p in pillow.iterdir()} == {"PIL", "pillow"}
    # And exactly the functions that read or convert images have it (after the layers every one has)
    for logical_id, _ in template.of_type(FUNCTIONS):
        layers = function_layers(template, logical_id)
        assert layers[:2] == ["DepsLayer", "SharedLayer"], logical_id
        assert ("PillowLayer" in layers) == (logical_id in IMAGING), logical_id


def test_a_function_without_the_pillow_layer_cannot_import_pillow(artifact: Artifact) -> None:
    # Given the path of a function without the PillowLayer, as Lambda mounts its layers
    path = artifact.path("PostsFunction", "posts")
    # When a bare interpreter imports Pillow from it
    probe = "import sys; sys.path[:0] = " + repr(path) + "\nimport PIL"
    proc = subprocess.run([artifact.python, "-I", "-S", "-B", "-c", probe], capture_output=True, text=True, check=False)
    # Then it fails as it would on Lambda (so the media tests above prove the layer is what provides it)
    assert proc.returncode != 0
    assert "No module named 'PIL'" in proc.stderr
