"""`grouping serve`: every function's app on one local server, on a migrated database."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run every function on one local server",
        description="Serve every function's routes locally on the embedded PostgreSQL "
        "(or --database-url / DATABASE_URL), migrated first, and print an admin token.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL)")
    parser.set_defaults(handler=run_serve_command)


def run_serve_command(args: argparse.Namespace) -> int:
    # Imported here so that `grouping run` does not pay for the web stack.
    import uvicorn

    from infra.local.runtime import (
        FunctionDispatcher,
        ensure_local_admin,
        function_apps,
        local_admin_token,
        prepare_local_database,
        use_local_settings,
    )

    database_url = prepare_local_database(args.database_url)
    use_local_settings(database_url)
    apps = function_apps()
    token = local_admin_token(user_id=ensure_local_admin(database_url))
    print(f"functions: {', '.join(sorted(apps))}")
    print(f"local admin token (valid one hour):\n{token}\n")
    print(f'try: curl -H "Authorization: Bearer $TOKEN" http://{args.host}:{args.port}/whoami')
    uvicorn.run(FunctionDispatcher(apps.values()), host=args.host, port=args.port)
    return 0
