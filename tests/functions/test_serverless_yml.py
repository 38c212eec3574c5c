"""serverless.yml against the code: handlers import, routes are served, the layer is used."""

from __future__ import annotations

import importlib
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from functions.wards.schemas import roster_payload
from functions.web.app import route_table
from functions.web.settings import MAX_BODY_BYTES_LIMIT
from functions.web.ssm import parameter_names
from infra.bench.wards import build_ward
from infra.layer.build import SOLVER_MODULE

ROOT = Path(__file__).resolve().parents[2]
CONFIG: dict[str, Any] = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
FUNCTIONS: dict[str, dict[str, Any]] = CONFIG["functions"]
LAYER_REF = {"Ref": "EngineLambdaLayer"}
SOLVER_REF = {"Ref": "SolverLambdaLayer"}


def handler_module(spec: str) -> tuple[str, str]:
    """`functions/x/handler.handler` -> ("functions.x.handler", "handler")."""
    module, _, attribute = spec.rpartition(".")
    return module.replace("/", "."), attribute


def http_routes(function: dict[str, Any]) -> set[tuple[str, str]]:
    routes = set()
    for event in function.get("events", []):
        if "httpApi" in event:
            route = event["httpApi"]
            routes.add((route["method"].upper(), route["path"]))
    return routes


def test_functions_are_declared() -> None:
    assert {"whoami", "build_groups", "policies", "events_api", "nightly_regroup"} <= set(FUNCTIONS)


def test_the_nightly_regroup_is_scheduled() -> None:
    schedules = [e["schedule"] for e in FUNCTIONS["nightly_regroup"]["events"] if "schedule" in e]
    assert [s["rate"] for s in schedules] == ["cron(0 2 * * ? *)"]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_handler_imports_and_is_callable(name: str) -> None:
    module_name, attribute = handler_module(FUNCTIONS[name]["handler"])
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute))


@pytest.mark.parametrize("name", sorted(n for n, f in FUNCTIONS.items() if http_routes(f)))
def test_every_declared_route_is_served_by_its_function(name: str) -> None:
    module_name, _ = handler_module(FUNCTIONS[name]["handler"])
    app = importlib.import_module(module_name).app
    declared = http_routes(FUNCTIONS[name])
    assert declared <= route_table(app), f"{name} declares routes its app does not serve"


def test_every_function_uses_the_engine_layer() -> None:
    # The provider's default, so a new function needs no layers block of its own; a
    # function's own list replaces it, so it must name the engine layer again.
    assert CONFIG["provider"]["layers"] == [LAYER_REF]
    own = {name: function["layers"] for name, function in FUNCTIONS.items() if "layers" in function}
    assert all(layers[0] == LAYER_REF for layers in own.values())


def imports_the_search(handler: str) -> bool:
    """Whether importing the handler (in a fresh interpreter) imports the grouping search."""
    module, _ = handler_module(handler)
    code = f"import sys, {module}; print({SOLVER_MODULE!r} in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return done.stdout.strip() == "True"


def test_exactly_the_functions_that_import_the_search_carry_the_solver_layer() -> None:
    searching = {name for name, f in FUNCTIONS.items() if imports_the_search(f["handler"])}
    assert {"build_groups", "nightly_regroup"} <= searching
    assert "whoami" not in searching
    carrying = {name for name, f in FUNCTIONS.items() if SOLVER_REF in f.get("layers", [])}
    assert carrying == searching
    assert all(FUNCTIONS[name]["layers"] == [LAYER_REF, SOLVER_REF] for name in carrying)


@pytest.mark.parametrize("name", ["engine", "solver"])
def test_each_layer_is_its_built_artifact(name: str) -> None:
    layer = CONFIG["layers"][name]
    assert layer["package"]["artifact"] == f".build/{name}-layer.zip"
    assert CONFIG["provider"]["runtime"] in layer["compatibleRuntimes"]
    assert layer["compatibleArchitectures"] == [CONFIG["provider"]["architecture"]]


def test_iam_grants_exactly_the_parameters_the_code_reads() -> None:
    custom = CONFIG["custom"]
    assert CONFIG["provider"]["environment"]["SSM_PARAMETER_PREFIX"] == "${self:custom.ssmPrefix}"
    statements = CONFIG["provider"]["iam"]["role"]["statements"]
    ssm = [statement for statement in statements if "ssm:GetParameters" in statement["Action"]]
    assert len(ssm) == 1 and ssm[0]["Action"] == ["ssm:GetParameters"]
    assert custom["ssmPrefix"] == "/grouping-service/${sls:stage}"
    # CloudFormation fills in the region and account (Fn::Sub): packaging calls no STS.
    prefix = "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter${self:custom.ssmPrefix}"
    wanted = {prefix + name[len("/p") :] for name in parameter_names("/p")}
    assert {resource["Fn::Sub"] for resource in ssm[0]["Resource"]} == wanted
    assert all("*" not in resource["Fn::Sub"] for resource in ssm[0]["Resource"])


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in [key, *_strings(value)]]
    if isinstance(node, list):
        return [text for item in node for text in _strings(item)]
    return [node] if isinstance(node, str) else []


def test_nothing_is_resolved_by_calling_aws() -> None:
    # `${aws:accountId}` and `${aws:region}` make the CLI call STS; CloudFormation's own
    # pseudo parameters do not.
    assert not [text for text in _strings(CONFIG) if "${aws:" in text]


def test_every_function_is_traced_and_logs_at_the_stages_level() -> None:
    provider = CONFIG["provider"]
    assert provider["tracing"] == {"lambda": True}
    assert provider["environment"]["LOG_LEVEL"] == "${param:logLevel}"
    levels = {stage: params.get("logLevel") for stage, params in CONFIG["params"].items()}
    assert levels == {"default": "DEBUG", "prod": "INFO"}
    assert "$context.requestId" in provider["logs"]["httpApi"]["format"]
    assert not [name for name, f in FUNCTIONS.items() if "tracing" in f or "LOG_LEVEL" in f]


def test_the_nightly_job_retries_then_fails_into_a_queue_with_an_alarm() -> None:
    nightly = FUNCTIONS["nightly_regroup"]
    assert nightly["maximumRetryAttempts"] == 2
    assert nightly["reservedConcurrency"] == 1
    queue = nightly["destinations"]["onFailure"]
    assert queue["type"] == "sqs"
    (name, _) = queue["arn"]["Fn::GetAtt"]
    resources = CONFIG["resources"]["Resources"]
    assert resources[name]["Type"] == "AWS::SQS::Queue"
    alarms = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = [
        a for a in alarms if a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0] == name
    ]
    assert len(watched) == 1 and watched[0]["Properties"]["AlarmActions"]
    sends = [
        s
        for s in CONFIG["provider"]["iam"]["role"]["statements"]
        if "sqs:SendMessage" in s["Action"]
    ]
    assert sends[0]["Resource"] == [{"Fn::GetAtt": [name, "Arn"]}]


def test_build_groups_has_reserved_concurrency_per_stage() -> None:
    assert FUNCTIONS["build_groups"]["reservedConcurrency"] == "${param:buildGroupsConcurrency}"
    limits = [params["buildGroupsConcurrency"] for params in CONFIG["params"].values()]
    assert all(isinstance(limit, int) and 0 < limit <= 20 for limit in limits)


def test_cors_names_origins_per_stage_and_never_a_wildcard() -> None:
    cors = CONFIG["provider"]["httpApi"]["cors"]
    assert cors["allowedOrigins"] == "${self:custom.lovableOrigins.${sls:stage}}"
    origins = CONFIG["custom"]["lovableOrigins"]
    # The preview for dev only; both from the deploy's environment, with https defaults.
    assert origins == {
        "dev": ["${param:lovablePreviewOrigin}", "${param:lovablePublishedOrigin}"],
        "prod": ["${param:lovablePublishedOrigin}"],
    }
    defaults = CONFIG["params"]["default"]
    for param in ("lovablePreviewOrigin", "lovablePublishedOrigin"):
        assert defaults[param].startswith("${env:LOVABLE_") and "'https://" in defaults[param]
        assert "*" not in defaults[param]
    assert {"Authorization", "If-Match", "Idempotency-Key"} <= set(cors["allowedHeaders"])


def test_no_v4_only_or_v3_pinning_keys() -> None:
    # osls (v3) and v4 both read this file: no `frameworkVersion` pin, no v4 `build`/`stages`.
    assert not {"frameworkVersion", "build", "stages", "org", "app"} & set(CONFIG)


def test_the_roster_sync_takes_a_10000_member_roster_in_one_request() -> None:
    limit = int(FUNCTIONS["bulk_update"]["environment"]["MAX_BODY_BYTES"])
    roster = roster_payload(build_ward(10_000, random.Random(1)))
    # Hebrew names escaped as \uXXXX: the largest way a client may spell it in JSON.
    assert len(json.dumps(roster).encode()) < limit <= MAX_BODY_BYTES_LIMIT
    assert int(CONFIG["provider"]["environment"]["MAX_BODY_BYTES"]) < limit
