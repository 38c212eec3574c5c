"""serverless.yml: the health key's kms rights sit on one role, used only by the functions
that seal or open health answers."""

from __future__ import annotations

from tests.functions.test_serverless_yml import CONFIG, FUNCTIONS

HEALTH_FUNCTIONS = {"build_groups", "events_api", "nightly_regroup", "health_api"}


def test_only_the_functions_that_open_health_data_hold_kms_rights() -> None:
    assert {
        n for n, f in FUNCTIONS.items() if f.get("role") == "HealthDataRole"
    } == HEALTH_FUNCTIONS
    provider = CONFIG["provider"]["iam"]["role"]["statements"]
    assert not [s for s in provider if any(str(a).startswith("kms:") for a in s["Action"])]
    role = CONFIG["resources"]["Resources"]["HealthDataRole"]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    kms = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
    assert len(kms) == 1
    assert set(kms[0]["Action"]) == {
        "kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
    }  # fmt: skip
    assert kms[0]["Resource"] == {"Fn::GetAtt": ["HealthDataKey", "Arn"]}
