"""`f0care` command line: serve, migrate, load-areas, seed-demo, export-schema, create-user,
token."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from domain.enums import AreaEdition
from server import commands
from server.errors import describe
from server.settings import Settings

log = logging.getLogger("f0care")


def build_parser() -> argparse.ArgumentParser:
    """Every sub-command with its options and help."""
    parser = argparse.ArgumentParser(
        prog="f0care",
        description="GraphQL API to monitor F0 (COVID-19 positive) people treated at home.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose", "-v", action="store_true", help="also log the embedded PostgreSQL's steps"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    serve = command("serve", help="run the API server (migrates first)")
    serve.description = (
        "Run the GraphQL API at /graphql. Without DATABASE_URL an embedded PostgreSQL is "
        "started in F0CARE_DATA_DIR. Migrates and loads the areas on start."
    )
    serve.add_argument(
        "--demo", action="store_true", help="load Tây Ninh demo data, print demo logins"
    )
    serve.add_argument("--host", help="address to listen on (default F0CARE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default F0CARE_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="number of server processes")
    serve.add_argument("--no-migrate", action="store_true", help="do not run migrations on start")
    serve.add_argument(
        "--edition",
        choices=[e.value for e in AreaEdition],
        help="the map of a new database (default: VN_2021 with --demo, else "
        "F0CARE_AREA_EDITION); with --demo VN_2025, the demo is the new Tây Ninh (80)",
    )

    command(
        "migrate", help="upgrade the database to the newest schema"
    ).description = "Apply every pending Alembic migration, under an advisory lock."
    command("load-areas", help="load Viet Nam's provinces and communes").description = (
        "Load both editions of the map (2021: 63 provinces, 696 districts, 10,051 communes; "
        "2025: 34 provinces, 3,321 communes) and the conversion between them; the records use "
        "the database's edition (F0CARE_AREA_EDITION for a new one). Idempotent."
    )
    move = command("migrate-areas", help="move the database to another edition of the map")
    move.description = (
        "Move every record to the map of --to by the official conversion table, in one "
        "transaction; records of split or unlisted communes wait on the rehoming queue. "
        "Prints a report (mapped, split, unmapped). Every token issued before is refused."
    )
    move.add_argument("--to", required=True, choices=[e.value for e in AreaEdition])
    move.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    seed = command("seed-demo", help="create the Tây Ninh demo data")
    seed.description = "Create deterministic demo data for Tây Ninh; does nothing if it exists."
    seed.add_argument("--patients", type=int, default=2000, help="number of demo F0 patients")
    seed.add_argument(
        "--edition",
        choices=[e.value for e in AreaEdition],
        help="the map of a new database (default VN_2021; VN_2025: the new Tây Ninh, 80)",
    )

    export = command("export-schema", help="print the GraphQL schema (SDL)")
    export.description = "Print the schema as SDL, as committed in schema.graphql."
    export.add_argument("--output", "-o", help="write to this file instead of standard output")

    user = command("create-user", help="create a staff or service account")
    user.description = (
        "Create an account. The password is read from F0CARE_NEW_PASSWORD or asked for."
    )
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, help="one of the Role enum values")
    user.add_argument("--full-name", default="")
    user.add_argument("--area", help="area code, for area-bound roles")
    user.add_argument("--facility", type=int, help="facility id, for facility-bound roles")

    token = command("token", help="mint a bearer token")
    token.description = (
        "Mint a bearer token signed with F0CARE_JWT_SECRET (or the demo secret with --demo): "
        "for an existing account (--username), or for a service account or test principal "
        "(--subject with --role and --area/--facility)."
    )
    token.add_argument("--username", help="an existing account")
    token.add_argument("--subject", help="token subject for a service account or citizen")
    token.add_argument("--role", help="role, with --subject")
    token.add_argument("--area", help="area code, with --subject")
    token.add_argument("--facility", type=int, help="facility id, with --subject")
    token.add_argument("--hours", type=float, default=12.0, help="validity in hours (default 12)")
    token.add_argument("--demo", action="store_true", help="sign with the demo secret")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `f0care` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # pgserver narrates every start and stop at INFO: ~40 lines
        logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        settings = Settings()
        return commands.run(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = describe(exc)
        if message is None:
            raise
        print(f"f0care: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
