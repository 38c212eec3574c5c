"""Timeouts of every outbound call, in one place, well inside the function's own.

API Gateway's HTTP API waits 30 s and the functions stop at 28 s (serverless.yml). A call
that hangs must fail first, so the function answers a problem+json 503 rather than being
cut off (API Gateway's bare 503). A request makes a handful of PostgREST calls, so each
gets a few seconds, not the whole budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from botocore.config import Config

# One PostgREST call: a grouping save of 10,000 people takes ~0.2 s in the database.
POSTGREST_TIMEOUT = httpx.Timeout(8.0, connect=2.0)
# The project's signing keys, fetched at most every 30 s (functions.auth.jwks).
JWKS_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
# AWS calls made at a cold start or per request (SSM parameters, KMS data keys).
AWS_CONNECT_TIMEOUT_SECONDS = 2.0
AWS_READ_TIMEOUT_SECONDS = 3.0
# Attempts in all, the first included: at most 2 x (2 + 3) s.
AWS_MAX_ATTEMPTS = 2


def aws_client_config() -> Config:
    """botocore's config for every AWS client the functions make: short timeouts, one retry."""
    from botocore.config import Config  # boto3 is the Lambda runtime's; imported on use

    return Config(
        connect_timeout=AWS_CONNECT_TIMEOUT_SECONDS,
        read_timeout=AWS_READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": AWS_MAX_ATTEMPTS, "mode": "standard"},
    )
