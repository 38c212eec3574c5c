"""serverless.yml packaged by osls, the open-source Serverless CLI (`tools/`), offline: AWS
is a loopback stub (`aws_stub`), and the only call packaging makes is CloudFormation's
DescribeStacks (is the layer already uploaded?), answered "no such stack". No STS: the
account id is CloudFormation's (`Fn::Sub`). What a deploy still needs is real AWS (the
deployment bucket, CloudFormation) and the stage's SSM parameters.

Skipped unless the CLI is installed (`npm ci --prefix tools`, as the workflows do)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.aws_stub import aws_stub

ROOT = Path(__file__).resolve().parents[2]
SERVERLESS = ROOT / "tools" / "node_modules" / ".bin" / "osls"
# Each layer's zip and a package it holds.
LAYERS = {"engine": "engine", "solver": "highspy"}
pytestmark = pytest.mark.skipif(
    not SERVERLESS.exists(), reason="the Serverless CLI is not installed (npm ci --prefix tools)"
)


def package(stage: str, out: Path, tmp_path: Path) -> dict[str, Any]:
    for name, module in LAYERS.items():
        layer = ROOT / ".build" / f"{name}-layer.zip"
        if not layer.exists():  # the real ones are built by infra.layer.build; any zip packages
            layer.parent.mkdir(exist_ok=True)
            with zipfile.ZipFile(layer, "w") as archive:
                archive.writestr(f"python/{module}/__init__.py", "")
    with aws_stub(tmp_path) as stub:
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "stub-secret",
            "AWS_REGION": "eu-central-1",
            "https_proxy": stub.proxy_url,
            "NODE_EXTRA_CA_CERTS": str(stub.ca_file),
            "SLS_TELEMETRY_DISABLED": "1",
            "SLS_NOTIFICATIONS_MODE": "off",
            "LOVABLE_PUBLISHED_ORIGIN": "https://dinners.lovable.app",
        }
        done = subprocess.run(
            [str(SERVERLESS), "package", "--stage", stage, "--package", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        # The CLI also asks the npm registry for a newer version: answered by the stub too.
        aws = [(host, action) for host, action in stub.requests if host.endswith("amazonaws.com")]
        hosts = {host for host, _ in aws}
        actions = {action for _, action in aws}
    assert hosts <= {"cloudformation.eu-central-1.amazonaws.com"}, hosts
    assert actions <= {"Action=DescribeStacks"}, actions
    template: dict[str, Any] = json.loads(
        (out / "cloudformation-template-update-stack.json").read_text()
    )
    return template


def test_the_service_packages_offline_with_what_a_deploy_needs(tmp_path: Path) -> None:
    out = tmp_path / "package"
    resources = package("prod", out, tmp_path)["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Lambda::Function"}
    handlers = sorted(p.parent.name for p in (ROOT / "functions").glob("*/handler.py"))
    assert len(functions) == len(handlers)
    layers = {k: v for k, v in resources.items() if v["Type"] == "AWS::Lambda::LayerVersion"}
    assert {v["Properties"]["Content"]["S3Key"].rpartition("/")[2] for v in layers.values()} == {
        f"{name}-layer.zip" for name in LAYERS
    }
    engine, solver = ({"Ref": f"{name.title()}LambdaLayer"} for name in LAYERS)
    assert {"EngineLambdaLayer", "SolverLambdaLayer"} == set(layers)
    with_solver = []
    for name, resource in functions.items():
        properties = resource["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Environment"]["Variables"]["LOG_LEVEL"] == "INFO"
        assert properties["Layers"] in ([engine], [engine, solver]), name
        with_solver += [name] if solver in properties["Layers"] else []
    # Which functions need it is tests/functions/test_serverless_yml.py's; here: some do.
    assert any(name.startswith("BuildUnderscoregroups") for name in with_solver)
    assert any(name.startswith("NightlyUnderscoreregroup") for name in with_solver)
    assert not any(name.startswith("WhoamiLambda") for name in with_solver)
    build = next(v for k, v in functions.items() if k.startswith("BuildUnderscoregroups"))
    assert build["Properties"]["ReservedConcurrentExecutions"] == 10
    (retry,) = [v for v in resources.values() if v["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert retry["Properties"]["MaximumRetryAttempts"] == 2
    assert "OnFailure" in retry["Properties"]["DestinationConfig"]
    assert any(v["Type"] == "AWS::CloudWatch::Alarm" for v in resources.values())
    (stage,) = [v for v in resources.values() if v["Type"] == "AWS::ApiGatewayV2::Stage"]
    assert "AccessLogSettings" in stage["Properties"]
    (api,) = [v for v in resources.values() if v["Type"] == "AWS::ApiGatewayV2::Api"]
    assert api["Properties"]["CorsConfiguration"]["AllowOrigins"] == ["https://dinners.lovable.app"]
    text = json.dumps(resources)
    assert "${AWS::AccountId}" in text  # left to CloudFormation
    shutil.rmtree(out)
