"""Moving a live database to another edition of the map (`f0care migrate-areas`), in one
transaction: the new edition's areas replace the old ones in `areas`; every record that
names an area is moved by the conversion table (`domain.area_moves`); what cannot be
placed for certain waits on the rehoming queue; district columns are emptied; every
account's tokens stop working; the statistics are rebuilt on the new units."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import rollup
from db.areas import current_edition, put_edition
from db.models import Area, AreaSuccession, AreaUnit, User
from db.queries import audit
from domain.area_moves import Link, OldArea, Placement, plan_move
from domain.enums import (
    AREA_BOUND_ROLES,
    AreaEdition,
    AreaLevel,
    ContactStatus,
    DeclarationStatus,
    PatientStatus,
    RehomingKind,
)

MIGRATE_AREAS = "MIGRATE_AREAS"


class CannotMove(Exception):
    """The database cannot be moved to that edition (it is on it, or there is no table)."""


@dataclass
class MoveReport:
    """What a move did (or, dry, would do): per kind of record, how many were mapped for
    certain, split or unmapped; how many wait on the queue; accounts switched off."""

    source: AreaEdition
    target: AreaEdition
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    queued: int = 0
    deactivated: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report, one line per kind of record."""
        rows = [f"{self.source.value} → {self.target.value}"]
        for kind, count in self.counts.items():
            parts = ", ".join(f"{n} {state}" for state, n in sorted(count.items()))
            rows.append(f"{kind}: {parts or 'none'}")
        rows.append(f"rehoming queue: {self.queued} waiting for staff of their new province")
        if self.deactivated:
            rows.append(
                f"accounts switched off (their district is gone): {', '.join(self.deactivated)}"
            )
        return rows


# (table, its kind on the queue (None: never queued), the area column the plan moves, its
#  district and province columns, which of its rows wait on the queue)
MOVED = (
    ("patients", RehomingKind.PATIENT, "home_commune_code", "home_district_code",
     "home_province_code", f"status IN ('{PatientStatus.HOME_TREATMENT.value}', "
     f"'{PatientStatus.IN_FACILITY.value}')"),
    ("contacts", RehomingKind.CONTACT, "commune_code", "district_code", "province_code",
     f"status <> '{ContactStatus.COMPLETED.value}'"),
    ("declarations", RehomingKind.DECLARATION, "commune_code", "district_code",
     "province_code", f"status = '{DeclarationStatus.PENDING.value}'"),
    ("facilities", RehomingKind.FACILITY, "area_code", "district_code", "province_code",
     "active"),
    ("alerts", None, "commune_code", "district_code", "province_code", None),
    ("person_events", None, "commune_code", "district_code", "province_code", None),
)  # fmt: skip
# areas of any level named by records without a commune of their own
ANY_LEVEL = (("users", "area_code"), ("recovery_certificates", "issuer_area_code"),
             ("exposures", "area_code"), ("webhooks", "province_code"))  # fmt: skip


async def move_areas(
    session: AsyncSession, target: AreaEdition, *, by: str, timezone: str
) -> MoveReport:
    """Move the database to `target`'s map (the caller commits, or rolls back for a dry
    run)."""
    source = await current_edition(session)
    if source is None or source is target:
        raise CannotMove(f"this database is already on the {target.value} map")
    if source is not AreaEdition.VN_2021 or target is not AreaEdition.VN_2025:
        raise CannotMove("the conversion table goes from VN_2021 to VN_2025 only")
    await session.execute(text("LOCK TABLE areas IN EXCLUSIVE MODE"))
    plan = await _plan(session, source, target)
    report = MoveReport(source, target)
    await session.execute(
        text(
            "CREATE TEMP TABLE area_map (old varchar(8) PRIMARY KEY, new varchar(8) NOT NULL,"
            " reason text, candidates text[] NOT NULL) ON COMMIT DROP"
        )
    )
    rows = [
        {"old": old, "new": p.new, "reason": p.reason.value if p.reason else None,
         "candidates": list(p.candidates)}
        for old, p in plan.items()
    ]  # fmt: skip
    for start in range(0, len(rows), 5000):
        await session.execute(
            text("INSERT INTO area_map VALUES (:old, :new, :reason, :candidates)"),
            rows[start : start + 5000],
        )
    await put_edition(session, target)
    for table, kind, column, district, province, waiting in MOVED:
        report.counts[table] = await _count(session, table, column)
        if kind is not None and waiting is not None:
            report.queued += await _queue(session, table, kind, column, waiting, source)
        await session.execute(
            text(
                f"UPDATE {table} t SET {column} = m.new, {district} = NULL, "  # noqa: S608
                f"{province} = a.province_code FROM area_map m JOIN areas a ON a.code = m.new "
                f"WHERE t.{column} = m.old"
            )
        )
    report.deactivated = await _district_accounts(session)
    report.queued += await _queue(
        session, "users", RehomingKind.USER, "area_code", "is_active", source
    )
    for table, column in ANY_LEVEL:
        report.counts.setdefault(table, await _count(session, table, column))
        await session.execute(
            text(
                f"UPDATE {table} t SET {column} = m.new FROM area_map m "  # noqa: S608
                f"WHERE t.{column} = m.old"
            )
        )
    await _follow_patients(session)
    await session.execute(
        text("DELETE FROM case_counters c WHERE NOT EXISTS "
             "(SELECT 1 FROM areas a WHERE a.code = c.province_code AND a.edition = :t)"),
        {"t": target.value},
    )  # fmt: skip
    for level in (AreaLevel.COMMUNE, AreaLevel.DISTRICT, AreaLevel.PROVINCE):
        await session.execute(delete(Area).where(Area.edition == source, Area.level == level))
    await session.execute(
        update(User).values(token_version=User.token_version + 1, changed_at=func.now())
    )
    await rollup.rebuild(session, timezone)
    await audit.record(
        session, subject=by, role=None, action=MIGRATE_AREAS, entity="area",
        detail="; ".join(report.lines()),
    )  # fmt: skip
    return report


async def _plan(
    session: AsyncSession, source: AreaEdition, target: AreaEdition
) -> dict[str, Placement]:
    old = [
        OldArea(a.code, a.level, a.province_code, a.district_code)
        for a in await session.scalars(select(Area))
    ]
    links = [
        Link(s.from_code, s.to_code, s.part)
        for s in await session.scalars(
            select(AreaSuccession).where(
                AreaSuccession.from_edition == source, AreaSuccession.to_edition == target
            )
        )
    ]
    units = await session.execute(
        select(AreaUnit.code, AreaUnit.province_code).where(AreaUnit.edition == target)
    )
    province_of = {code: str(province) for code, province in units}
    return plan_move(old, [link for link in links if link.new in province_of], province_of)


async def _count(session: AsyncSession, table: str, column: str) -> Counter[str]:
    found = await session.execute(
        text(
            f"SELECT coalesce(m.reason, 'MAPPED'), count(*) FROM {table} t "  # noqa: S608
            f"JOIN area_map m ON m.old = t.{column} GROUP BY 1"
        )
    )
    return Counter({str(state).lower(): int(n) for state, n in found})


async def _queue(
    session: AsyncSession,
    table: str,
    kind: RehomingKind,
    column: str,
    waiting: str,
    source: AreaEdition,
) -> int:
    """Put the table's records that cannot be placed for certain on the queue."""
    result = await session.execute(
        text(
            "INSERT INTO rehoming_items (kind, entity_id, reason, old_edition, old_code, "  # noqa: S608
            "province_code, placed_code, candidates) "
            f"SELECT :kind, t.id, m.reason, :source, m.old, a.province_code, m.new, m.candidates "
            f"FROM {table} t JOIN area_map m ON m.old = t.{column} "
            f"JOIN areas a ON a.code = m.new WHERE m.reason IS NOT NULL AND {waiting}"
        ),
        {"kind": kind.value, "source": source.value},
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _district_accounts(session: AsyncSession) -> list[str]:
    """Accounts working for a district are switched off: the unit is gone (an
    administrator gives them a commune or the province)."""
    found = await session.scalars(
        select(User)
        .join(Area, Area.code == User.area_code)
        .where(Area.level == AreaLevel.DISTRICT, User.role.in_(AREA_BOUND_ROLES), User.is_active)
        .order_by(User.username)
    )
    names = []
    for user in found:
        user.is_active = False
        user.deactivated_at = func.now()
        names.append(user.username)
    await session.flush()
    return names


async def _follow_patients(session: AsyncSession) -> None:
    """Records that hold only a province follow their patient or alert."""
    for table in ("health_reports", "transfers"):
        await session.execute(
            text(
                f"UPDATE {table} t SET province_code = p.home_province_code "  # noqa: S608
                "FROM patients p WHERE p.id = t.patient_id "
                "AND t.province_code IS DISTINCT FROM p.home_province_code"
            )
        )
    await session.execute(
        text(
            "UPDATE alert_events e SET province_code = a.province_code FROM alerts a "
            "WHERE a.id = e.alert_id AND e.province_code IS DISTINCT FROM a.province_code"
        )
    )
