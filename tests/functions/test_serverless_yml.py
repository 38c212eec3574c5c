"""serverless.yml against the code: handlers import, routes are served, the layer is used."""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from functions.wards.schemas import roster_payload
from functions.web.app import route_table
from functions.web.settings import MAX_BODY_BYTES_LIMIT
from functions.web.ssm import parameter_names
from infra.bench.wards import build_ward

ROOT = Path(__file__).resolve().parents[2]
CONFIG: dict[str, Any] = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
FUNCTIONS: dict[str, dict[str, Any]] = CONFIG["functions"]
LAYER_REF = {"Ref": "EngineLambdaLayer"}


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


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_uses_the_engine_layer(name: str) -> None:
    assert LAYER_REF in FUNCTIONS[name].get("layers", [])


def test_the_layer_is_the_built_engine_artifact() -> None:
    layer = CONFIG["layers"]["engine"]
    assert layer["package"]["artifact"] == ".build/engine-layer.zip"
    assert CONFIG["provider"]["runtime"] in layer["compatibleRuntimes"]


def test_iam_grants_exactly_the_parameters_the_code_reads() -> None:
    custom = CONFIG["custom"]
    assert CONFIG["provider"]["environment"]["SSM_PARAMETER_PREFIX"] == "${self:custom.ssmPrefix}"
    statements = CONFIG["provider"]["iam"]["role"]["statements"]
    ssm = [statement for statement in statements if "ssm:GetParameters" in statement["Action"]]
    assert len(ssm) == 1 and ssm[0]["Action"] == ["ssm:GetParameters"]
    prefix = "${self:custom.ssmArnPrefix}"
    assert custom["ssmArnPrefix"].endswith(":parameter${self:custom.ssmPrefix}")
    wanted = {prefix + name[len("/p") :] for name in parameter_names("/p")}
    assert set(ssm[0]["Resource"]) == wanted
    assert all("*" not in resource for resource in ssm[0]["Resource"])


def test_cors_names_origins_per_stage_and_never_a_wildcard() -> None:
    cors = CONFIG["provider"]["httpApi"]["cors"]
    assert cors["allowedOrigins"] == "${self:custom.lovableOrigins.${sls:stage}}"
    for origins in CONFIG["custom"]["lovableOrigins"].values():
        assert origins and all(origin.startswith("https://") for origin in origins)
    assert "Authorization" in cors["allowedHeaders"]


def test_no_v4_only_or_v3_pinning_keys() -> None:
    # osls (v3) and v4 both read this file: no `frameworkVersion` pin, no v4 `build`/`stages`.
    assert not {"frameworkVersion", "build", "stages", "org", "app"} & set(CONFIG)


def test_the_roster_sync_takes_a_10000_member_roster_in_one_request() -> None:
    limit = int(FUNCTIONS["bulk_update"]["environment"]["MAX_BODY_BYTES"])
    roster = roster_payload(build_ward(10_000, random.Random(1)))
    # Hebrew names escaped as \uXXXX: the largest way a client may spell it in JSON.
    assert len(json.dumps(roster).encode()) < limit <= MAX_BODY_BYTES_LIMIT
    assert int(CONFIG["provider"]["environment"]["MAX_BODY_BYTES"]) < limit
