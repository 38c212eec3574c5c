"""`grouping health rotate-keys` and `grouping health seal-existing`: the health data's two
maintenance commands, run as the service role against DATABASE_URL (or --database-url).

- rotate-keys: every data key re-wrapped under the current key (KMS `ReEncrypt` on AWS;
  locally the local key), one key at a time, without decrypting any answer and while the
  functions keep serving;
- seal-existing: answers stored in clear before issue 13 sealed under one data key and
  removed from participants.responses; idempotent (a second run seals no one). Then
  `grouping migrate` applies the migration that holds responses to the clear answers.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from infra.cli.input import BadInputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("health", help="health data maintenance (keys, sealing)")
    commands = parser.add_subparsers(dest="health_command", required=True)
    for name, helptext in (
        ("rotate-keys", "re-wrap every data key under the current key (no data decrypted)"),
        ("seal-existing", "seal the health answers still stored in clear (idempotent)"),
    ):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL)")
        command.set_defaults(handler=run_health_command)


def run_health_command(args: argparse.Namespace) -> int:
    from functions.database.deps import service_role_transport
    from functions.health.deps import key_service_for
    from functions.health.service import rotate_keys, seal_existing
    from functions.health.store import HealthStore
    from functions.web.errors import ServiceError
    from functions.web.settings import SettingsError, load_settings

    overrides: dict[str, Any] = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    try:
        settings = load_settings(**overrides)
        transport = service_role_transport(settings)
        keys = key_service_for(settings)
        store = HealthStore(transport)
        if args.health_command == "rotate-keys":
            done = rotate_keys(store, keys)
            print(f"{done.rewrapped} data key(s) re-wrapped, {done.skipped} changed meanwhile")
            return 0
        sealed = seal_existing(store, keys, _stored_answers(transport))
    except SettingsError as error:
        raise BadInputError(str(error)) from None
    except ServiceError as error:
        print(f"health: {error.detail}", file=sys.stderr)
        return 1
    print(f"{sealed} participant(s) sealed")
    return 0


def _stored_answers(transport: Any) -> list[tuple[str, dict[str, Any]]]:
    from functions.database.transport import Select

    rows = transport.select(Select("participants", ("id", "responses"), (), ("id",)))
    return [(str(row["id"]), dict(row["responses"] or {})) for row in rows]
