"""What each `f0care` sub-command does."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import socket
import sys
from datetime import timedelta
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.progress import Progress as Bar

from auth.passwords import hash_password
from auth.tokens import TokenClaims, mint_token
from db.demo import DEMO_PASSWORD, SeedResult
from db.engine import make_engine, make_session_factory
from db.queries import users
from domain.enums import AREA_BOUND_ROLES, FACILITY_BOUND_ROLES, AreaEdition, Role
from schema import export_sdl
from server.app import create_app
from server.errors import UserError
from server.settings import Settings
from server.setup import (
    database_url,
    load_areas_only,
    migrate_only,
    move_areas_only,
    prepare,
)

console = Console(highlight=False)
DEMO_TOKEN_HOURS = 12


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one parsed command."""
    handlers = {
        "serve": serve,
        "migrate": migrate,
        "load-areas": load_areas,
        "migrate-areas": migrate_areas,
        "seed-demo": seed_demo,
        "export-schema": export_schema,
        "create-user": create_user,
        "token": token,
    }
    return handlers[args.command](args, settings)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Prepare the database and run uvicorn."""
    settings = settings.model_copy(
        update={
            "demo": settings.demo or args.demo,
            "host": args.host or settings.host,
            "port": settings.port if args.port is None else args.port,
        }
    )
    secret = settings.signing_secret()
    _check_port_free(settings.host, settings.port)
    url = database_url(settings)
    with Bar(console=console, transient=True) as bar:
        task = bar.add_task("preparing the database", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"demo data: {stage}", completed=done, total=total)

        seeded = asyncio.run(
            prepare(
                url,
                migrate=not args.no_migrate,
                demo=settings.demo,
                timezone=settings.timezone,
                edition=_edition(args, settings.area_edition if not settings.demo else None),
                insist=args.edition is not None,
                progress=progress,
            )
        )
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"f0care GraphQL API: {base}/graphql (GraphiQL in a browser)")
    console.print(f"f0care console: {base}/console/")
    if seeded is not None:
        _print_demo_logins(seeded, secret)
    # worker processes read these instead of starting their own embedded server
    os.environ["DATABASE_URL"] = url
    os.environ["F0CARE_JWT_SECRET"] = secret
    os.environ["F0CARE_DEMO"] = "true" if settings.demo else "false"
    # uvicorn re-raises the signal that stopped it; SIGTERM's default action would end the
    # process without exit hooks, leaving the embedded PostgreSQL running: exit normally
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.workers > 1:
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=args.workers,
            ws_per_message_deflate=False,
            ws_max_size=settings.max_body_bytes,
        )
    else:
        app = create_app(settings.model_copy(update={"database_url": url}))
        # alert payloads are small: compressing each one per subscriber costs more than it saves
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            ws_per_message_deflate=False,
            ws_max_size=settings.max_body_bytes,
        )
    return 0


def _edition(args: argparse.Namespace, default: AreaEdition | None) -> AreaEdition:
    """The map a new database gets: `--edition`, else `default`; the demo (no default) is
    Tây Ninh in 2021, on that year's map."""
    if args.edition is not None:
        return AreaEdition(args.edition)
    return default or AreaEdition.VN_2021


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UserError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port"
            ) from None


def _print_demo_logins(seeded: SeedResult, secret: str) -> None:
    console.print(
        f"Demo accounts (password for each: {DEMO_PASSWORD}); tokens valid {DEMO_TOKEN_HOURS} h:"
    )
    ttl = timedelta(hours=DEMO_TOKEN_HOURS)
    for account in seeded.accounts:
        claims = TokenClaims(account.username, account.role, account.area_code, account.facility_id)
        where = account.area_code or f"facility {account.facility_id}"
        console.print(f"  [bold]{account.username}[/] {account.role.value} {where}")
        bearer = mint_token(claims, secret=secret, ttl=ttl)[0]
        console.print(f"    Authorization: Bearer {bearer}", soft_wrap=True)
    citizen = TokenClaims(seeded.citizen_subject, Role.CITIZEN)
    console.print(f"  [bold]{seeded.citizen_subject}[/] CITIZEN (token only, no password login)")
    bearer = mint_token(citizen, secret=secret, ttl=ttl)[0]
    console.print(f"    Authorization: Bearer {bearer}", soft_wrap=True)


def migrate(_: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations."""
    asyncio.run(migrate_only(database_url(settings)))
    console.print("database is at the newest migration")
    return 0


def migrate_areas(args: argparse.Namespace, settings: Settings) -> int:
    """Move the database to another edition of the map (or show what that would do)."""
    report = asyncio.run(
        move_areas_only(
            database_url(settings),
            AreaEdition(args.to),
            by=f"cli:{getpass.getuser()}",
            timezone=settings.timezone,
            dry_run=args.dry_run,
        )
    )
    for line in report.lines():
        console.print(line)
    if args.dry_run:
        console.print("dry run: nothing was changed")
    else:
        console.print(
            "moved. Restart every f0care process: tokens issued before are refused, and a "
            "process keeps the map it started with."
        )
    return 0


def load_areas(_: argparse.Namespace, settings: Settings) -> int:
    """Load the administrative hierarchy."""
    result, counts = asyncio.run(load_areas_only(database_url(settings), settings.area_edition))
    console.print(f"areas: {result.total} read, {result.changed} inserted or changed; {counts}")
    return 0


def seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Create the demo data."""
    url = database_url(settings)
    with Bar(console=console) as bar:
        task = bar.add_task("demo data", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        seeded = asyncio.run(
            prepare(
                url,
                migrate=True,
                demo=True,
                timezone=settings.timezone,
                edition=_edition(args, None),
                insist=args.edition is not None,
                progress=progress,
                patients=args.patients,
            )
        )
    assert seeded is not None  # noqa: S101 - prepare(demo=True) always seeds
    state = f"created {seeded.patients} patients" if seeded.created else "already present"
    console.print(f"demo data {state}; {len(seeded.accounts)} demo accounts")
    return 0


def export_schema(args: argparse.Namespace, _: Settings) -> int:
    """Print or write the SDL."""
    sdl = export_sdl()
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def _role(value: str) -> Role:
    try:
        return Role(value.upper())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserError(f"--role {value!r} is not a role; use one of {allowed}") from None


def _check_binding(role: Role, area: str | None, facility: int | None) -> None:
    if role in AREA_BOUND_ROLES and area is None:
        raise UserError(f"role {role.value} works for an area: give --area")
    if role in FACILITY_BOUND_ROLES and facility is None:
        raise UserError(f"role {role.value} works for a facility: give --facility")


def create_user(args: argparse.Namespace, settings: Settings) -> int:
    """Create a staff or service account."""
    role = _role(args.role)
    _check_binding(role, args.area, args.facility)
    password = os.environ.get("F0CARE_NEW_PASSWORD") or _ask_password()
    asyncio.run(_create_user(database_url(settings), args, role, hash_password(password)))
    console.print(f"created {role.value} account {args.username}")
    return 0


def _ask_password() -> str:
    first = getpass.getpass("password: ")
    if len(first) < 8:
        raise UserError("the password must have at least 8 characters")
    if getpass.getpass("again: ") != first:
        raise UserError("the two passwords differ")
    return first


async def _create_user(url: str, args: argparse.Namespace, role: Role, pw_hash: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            if await users.user_by_username(session, args.username) is not None:
                raise UserError(f"username {args.username!r} is taken")
            if args.area and not await users.area_exists(session, args.area):
                raise UserError(f"--area {args.area!r} is not an area code")
            if args.facility and not await users.facility_exists(session, args.facility):
                raise UserError(f"--facility {args.facility} is not a facility id")
            await users.create_user(
                session,
                username=args.username,
                full_name=args.full_name or args.username,
                role=role,
                password_hash=pw_hash,
                area_code=args.area,
                facility_id=args.facility,
            )
    finally:
        await engine.dispose()


def token(args: argparse.Namespace, settings: Settings) -> int:
    """Mint a bearer token."""
    settings = settings.model_copy(update={"demo": settings.demo or args.demo})
    secret = settings.signing_secret()
    if args.username:
        claims = asyncio.run(_claims_of(database_url(settings), args.username))
    elif args.subject and args.role:
        role = _role(args.role)
        _check_binding(role, args.area, args.facility)
        claims = TokenClaims(args.subject, role, args.area, args.facility)
    else:
        raise UserError("give --username, or --subject with --role")
    encoded, expires = mint_token(claims, secret=secret, ttl=timedelta(hours=args.hours))
    console.print(
        f"# {claims.role.value} {claims.subject}, expires {expires.isoformat()}", style="dim"
    )
    sys.stdout.write(encoded + "\n")
    return 0


async def _claims_of(url: str, username: str) -> TokenClaims:
    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            user = await users.user_by_username(session, username)
    finally:
        await engine.dispose()
    if user is None:
        raise UserError(f"no account named {username!r}")
    return TokenClaims(user.username, user.role, user.area_code, user.facility_id)
