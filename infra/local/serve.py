"""`grouping serve`: every function's app on one local server, on a migrated database.

With `--demo` the examples are loaded first (`infra/local/examples.py`) and the ids a
walkthrough needs are printed as shell `export` lines, everything else as `#` comments,
so the whole output can be `eval`ed. The port is bound before anything else, so a port
in use is one error line and no database is started for nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run every function on one local server",
        description="Serve every function's routes locally on the embedded PostgreSQL "
        "(or --database-url / DATABASE_URL), migrated first, and print an admin token.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load the examples (an event and its registrations, a policy, a ward) and "
        "print the ids and token as shell export lines",
    )
    parser.set_defaults(handler=run_serve_command)


def run_serve_command(args: argparse.Namespace) -> int:
    # Imported here so that `grouping run` does not pay for the web stack.
    import psycopg

    from infra.cli.demo import DemoError
    from infra.cli.input import fail
    from infra.local.migrate import MigrationError

    try:
        listener = _listen(args.host, args.port)
    except (OSError, OverflowError) as error:
        errno = getattr(error, "errno", None)
        reason = os.strerror(errno) if errno else " ".join(str(error).split())
        return fail(f"cannot listen on {args.host}:{args.port}: {reason}", 1)
    try:
        return _serve(args, listener)
    except (DemoError, MigrationError) as error:
        return fail(" ".join(str(error).split()), 1)
    except psycopg.Error as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return fail(f"database: {first_line}", 1)
    finally:
        listener.close()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def _serve(args: argparse.Namespace, listener: socket.socket) -> int:
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
    dispatcher = FunctionDispatcher(apps.values())
    token = local_admin_token(user_id=ensure_local_admin(database_url))
    port = listener.getsockname()[1]
    api = f"http://{args.host}:{port}"
    if args.demo:
        from infra.local.examples import EXAMPLE_EVENT, EXAMPLE_POLICY, EXAMPLE_WARD, load_examples

        examples = load_examples(database_url, dispatcher, token)
        print(f"# functions: {', '.join(sorted(apps))}")
        print(f"# {EXAMPLE_EVENT!r} (open, its registrations imported from the examples),")
        print(f"# {EXAMPLE_POLICY!r} (active) and {EXAMPLE_WARD!r} (you its ward admin) loaded;")
        print("# the local admin token is valid one hour. Listening on " + api)
        print(
            f"export API={api} TOKEN={token} EVENT={examples.event_id}"
            f" POLICY={examples.policy_id} WARD={examples.ward_id}"
        )
        print('export AUTH="Authorization: Bearer $TOKEN"')
    else:
        print(f"functions: {', '.join(sorted(apps))}")
        print(f"local admin token (valid one hour):\n{token}\n")
        print(f'try: curl -H "Authorization: Bearer $TOKEN" {api}/whoami')
    # The lines above may go to a file that a script waits on, while the server runs.
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(dispatcher, host=args.host, port=port))
    server.run(sockets=[listener])
    return 0
