"""Statistics checked against figures computed independently with plain SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from domain.enums import Role
from tests.conftest import gql
from tests.factories import communes_of, make_patient
from tests.tokens import token_of

TZ = "Asia/Ho_Chi_Minh"
QUERY = """query($a: ID, $from: Date, $to: Date) { statistics(areaCode: $a, from: $from, to: $to) {
  area { code } activePatients openAlerts reportCompliance
  byStatus { status count } bySeverity { severity count } byTier { tier count }
  daily { date newCases recovered deaths transfers reports alerts }
  breakdown { area { code } activePatients newCases }
} }"""
COLUMN = {2: "home_province_code", 3: "home_district_code", 5: "home_commune_code"}
COUNTRY = "VN"


async def _oracle(
    sessions: async_sessionmaker[AsyncSession], area: str, first: date, last: date
) -> dict[str, Any]:
    where = "TRUE" if area == COUNTRY else f"p.{COLUMN[len(area)]} = :area"
    params = {"area": area, "first": first, "last": last, "tz": TZ}

    async def rows(sql: str) -> list[Any]:
        async with sessions() as session:
            return list((await session.execute(text(sql), params)).all())

    active = "p.status IN ('HOME_TREATMENT', 'IN_FACILITY')"
    status = dict(
        await rows(f"SELECT status, count(*) FROM patients p WHERE {where} GROUP BY status")
    )
    severity = dict(
        await rows(
            f"SELECT severity, count(*) FROM patients p WHERE {where} AND {active} GROUP BY severity"
        )
    )
    tier = dict(
        await rows(
            f"SELECT tier, count(*) FROM patients p WHERE {where} AND {active} GROUP BY tier"
        )
    )
    alert_col = {2: "province_code", 3: "district_code", 5: "commune_code"}[len(area)]
    alerts_where = "TRUE" if area == COUNTRY else f"{alert_col} = :area"
    [[open_alerts]] = await rows(
        f"SELECT count(*) FROM alerts WHERE {alerts_where} AND status <> 'RESOLVED'"
    )
    [[home, fresh]] = await rows(
        f"SELECT count(*), count(*) FILTER (WHERE last_report_at >= now() - interval '24 hours') "
        f"FROM patients p WHERE {where} AND status = 'HOME_TREATMENT'"
    )
    day = "(({}) AT TIME ZONE :tz)::date"
    series = {
        "newCases": f"SELECT {day.format('p.confirmed_at')} d, count(*) FROM patients p WHERE {where} GROUP BY d",
        "recovered": f"SELECT {day.format('p.discharged_at')} d, count(*) FROM patients p WHERE {where} AND discharge_outcome = 'RECOVERED' GROUP BY d",
        "deaths": f"SELECT {day.format('p.discharged_at')} d, count(*) FROM patients p WHERE {where} AND discharge_outcome = 'DECEASED' GROUP BY d",
        "transfers": f"SELECT {day.format('t.requested_at')} d, count(*) FROM transfers t JOIN patients p ON p.id = t.patient_id WHERE {where} GROUP BY d",
        "reports": f"SELECT {day.format('r.reported_at')} d, count(*) FROM health_reports r JOIN patients p ON p.id = r.patient_id WHERE {where} GROUP BY d",
        "alerts": f"SELECT {day.format('a.raised_at')} d, count(*) FROM alerts a JOIN patients p ON p.id = a.patient_id WHERE {where} GROUP BY d",
    }
    per_day = {name: dict(await rows(sql)) for name, sql in series.items()}
    span = (last - first).days + 1
    daily = [
        {
            "date": (first + timedelta(n)).isoformat(),
            **{k: v.get(first + timedelta(n), 0) for k, v in per_day.items()},
        }
        for n in range(span)
    ]
    children = await rows("SELECT code FROM areas WHERE parent_code = :area ORDER BY code")
    breakdown = []
    for (child,) in children:
        child_where = f"p.{COLUMN[len(child)]} = '{child}'"  # children are never the country
        [[n, c]] = await rows(
            f"SELECT count(*) FILTER (WHERE {active}), "
            f"count(*) FILTER (WHERE {day.format('p.confirmed_at')} BETWEEN :first AND :last) "
            f"FROM patients p WHERE {child_where}"
        )
        breakdown.append({"area": {"code": child}, "activePatients": n, "newCases": c})
    return {
        "area": {"code": area},
        "activePatients": status.get("HOME_TREATMENT", 0) + status.get("IN_FACILITY", 0),
        "openAlerts": open_alerts,
        "reportCompliance": None if home == 0 else fresh / home,
        "byStatus": sorted(status.items()),
        "bySeverity": {k: v for k, v in severity.items() if k is not None},
        "byTier": tier,
        "daily": daily,
        "breakdown": breakdown,
    }


def _comparable(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        **stats,
        "byStatus": sorted((s["status"], s["count"]) for s in stats["byStatus"] if s["count"]),
        "bySeverity": {s["severity"]: s["count"] for s in stats["bySeverity"] if s["count"]},
        "byTier": {t["tier"]: t["count"] for t in stats["byTier"] if t["count"]},
    }


@pytest.mark.parametrize(
    ("role", "area"),
    [
        (Role.ANALYST, COUNTRY),
        (Role.MANAGER, "72"),
        (Role.HEALTH_STAFF, "712"),
        (Role.LOCAL_OFFICIAL, "commune"),
    ],
)
async def test_figures_match_plain_sql(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
    role: Role,
    area: str,
) -> None:
    if area == "commune":
        area = next(a.area_code for a in demo.accounts if a.username == "official.commune") or ""
    async with sessions.begin() as session:  # a case in another province: the country sees it
        await make_patient(session, (await communes_of(session, "001"))[0])
    today = datetime.now(ZoneInfo(TZ)).date()
    first = today - timedelta(days=20)
    body = await gql(
        client,
        QUERY,
        {"a": area, "from": first.isoformat(), "to": today.isoformat()},
        token_of("stats", role, area),
    )
    assert "errors" not in body, body
    expected = await _oracle(sessions, area, first, today)
    got = _comparable(body["data"]["statistics"])
    compliance = got.pop("reportCompliance")
    want = expected.pop("reportCompliance")
    assert got == expected
    assert compliance == pytest.approx(want)


async def test_days_are_local_days(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    # given reports at 23:30 on 1 Sept 2021 and 00:30 on 2 Sept, local time (16:30 and 17:30 UTC on the 1st)
    async with sessions.begin() as session:
        commune = (await communes_of(session, "709"))[-1]
        patient = await make_patient(
            session, commune, confirmed_at=datetime(2021, 9, 1, 16, 30, tzinfo=UTC)
        )
        for hour in (16, 17):
            await session.execute(
                text(
                    "INSERT INTO health_reports (patient_id, province_code, reported_at, severity, recommended_tier, "
                    "rule_set, submitted_by, submitted_role, idempotency_key) VALUES "
                    "(:p, '72', :at, 'MILD', 1, 'vn-moh-2022', 'test', 'CITIZEN', :k)"
                ),
                {
                    "p": patient.id,
                    "at": datetime(2021, 9, 1, hour, 30, tzinfo=UTC),
                    "k": f"tz-{patient.id}-{hour}",
                },
            )
    body = await gql(
        client,
        QUERY,
        {"a": commune, "from": "2021-09-01", "to": "2021-09-02"},
        token_of("tz", Role.HEALTH_STAFF, commune),
    )
    daily = {d["date"]: d for d in body["data"]["statistics"]["daily"]}
    assert daily["2021-09-01"]["reports"] == 1
    assert daily["2021-09-02"]["reports"] == 1
    assert daily["2021-09-01"]["newCases"] == 1  # 23:30 local on the 1st


async def test_scope_and_suppression(client: httpx.AsyncClient, demo: SeedResult) -> None:
    other = await gql(client, QUERY, {"a": "703"}, token_of("m", Role.MANAGER, "712"))
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    above = await gql(client, QUERY, {"a": COUNTRY}, token_of("m", Role.MANAGER, "72"))
    assert above["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    inside = await gql(client, QUERY, {"a": "25708"}, token_of("m", Role.MANAGER, "712"))
    assert "errors" not in inside
    district = await gql(client, QUERY, {"a": "712"}, token_of("bi", Role.ANALYST, "72"))
    manager = await gql(client, QUERY, {"a": "712"}, token_of("m", Role.MANAGER, "72"))
    for analyst_row, manager_row in zip(
        district["data"]["statistics"]["breakdown"],
        manager["data"]["statistics"]["breakdown"],
        strict=True,
    ):
        for key in ("activePatients", "newCases"):
            exact = manager_row[key]
            assert analyst_row[key] == (None if 1 <= exact <= 4 else exact)


async def test_analyst_suppression_at_its_boundaries(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # given communes of one district with exactly 0, 1, 4 and 5 patients in treatment
    district = "005"  # Quận Cầu Giấy, Hà Nội: no other test puts patients there
    async with sessions.begin() as session:
        communes = (await communes_of(session, district))[:4]
        for commune, count in zip(communes, (0, 1, 4, 5), strict=True):
            for _ in range(count):
                await make_patient(session, commune)
    ask = (
        "query($a: ID) { statistics(areaCode: $a) { breakdown { area { code } activePatients } } }"
    )
    # when a manager and an analyst of the province look at the district
    seen = {}
    for role in (Role.MANAGER, Role.ANALYST):
        body = await gql(client, ask, {"a": district}, token_of("bi", role, "01"))
        rows = body["data"]["statistics"]["breakdown"]
        seen[role] = {
            r["area"]["code"]: r["activePatients"] for r in rows if r["area"]["code"] in communes
        }
    # then the manager sees the counts, the analyst sees 1 to 4 as null, 0 and 5 as they are
    assert [seen[Role.MANAGER][c] for c in communes] == [0, 1, 4, 5]
    assert [seen[Role.ANALYST][c] for c in communes] == [0, None, None, 5]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"from": "2021-09-10", "to": "2021-09-01"}, "from"),
        ({"from": "2020-01-01", "to": "2021-09-01"}, "from"),
        ({"a": "99999"}, "areaCode"),
    ],
)
async def test_bad_windows_and_areas(
    client: httpx.AsyncClient, variables: dict[str, str], field: str
) -> None:
    body = await gql(client, QUERY, variables, token_of("m", Role.MANAGER, "72"))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith(field)


EXTRAS = """query($a: ID, $from: Date, $to: Date) { statistics(areaCode: $a, from: $from, to: $to) {
  alertResponse { acknowledged medianMinutes p90Minutes }
  declarationFunnel { pending verified rejected duplicate medianHoursToReview }
  occupancy { tier patients beds }
} }"""


@pytest.mark.parametrize("area", [COUNTRY, "72", "712"])
async def test_committee_figures_match_plain_sql(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
    area: str,
) -> None:
    today = datetime.now(ZoneInfo(TZ)).date()
    first = today - timedelta(days=29)
    body = await gql(
        client,
        EXTRAS,
        {"a": area, "from": first.isoformat(), "to": today.isoformat()},
        token_of("m", Role.MANAGER, area),
    )
    assert "errors" not in body, body
    got = body["data"]["statistics"]
    level = "'VN'" if area == COUNTRY else {2: "province_code", 3: "district_code"}[len(area)]
    params = {"area": area, "first": first, "last": today, "tz": TZ}
    local = "(({}) AT TIME ZONE :tz)::date BETWEEN :first AND :last"
    async with sessions() as session:
        ack = (
            await session.execute(
                text(
                    "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - raised_at) / 60), "
                    "percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - raised_at) / 60) "
                    f"FROM alerts WHERE {level} = :area AND acknowledged_at IS NOT NULL AND {local.format('raised_at')}"
                ),
                params,
            )
        ).one()
        funnel: dict[str, int] = dict(
            (
                await session.execute(
                    text(
                        f"SELECT status, count(*) FROM declarations WHERE {level} = :area AND {local.format('created_at')} GROUP BY status"
                    ),
                    params,
                )
            ).all()
        )
        review = await session.scalar(
            text(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM reviewed_at - created_at) / 3600) "
                f"FROM declarations WHERE {level} = :area AND reviewed_at IS NOT NULL AND {local.format('created_at')}"
            ),
            params,
        )
        facility_column = (
            "'VN'" if area == COUNTRY else {2: "f.province_code", 3: "f.district_code"}[len(area)]
        )
        beds: dict[int, int] = dict(
            (
                await session.execute(
                    text(
                        f"SELECT tier, coalesce(sum(bed_capacity), 0) FROM facilities f WHERE {facility_column} = :area GROUP BY tier"
                    ),
                    params,
                )
            ).all()
        )
        used: dict[int, int] = dict(
            (
                await session.execute(
                    text(
                        f"SELECT f.tier, count(*) FROM patients p JOIN facilities f ON f.id = p.facility_id "
                        f"WHERE {facility_column} = :area AND p.status = 'IN_FACILITY' GROUP BY f.tier"
                    ),
                    params,
                )
            ).all()
        )
    assert got["alertResponse"]["acknowledged"] == ack[0]
    assert got["alertResponse"]["medianMinutes"] == pytest.approx(ack[1], rel=1e-3)
    assert got["alertResponse"]["p90Minutes"] == pytest.approx(ack[2], rel=1e-3)
    assert got["declarationFunnel"]["pending"] == funnel.get("PENDING", 0)
    assert got["declarationFunnel"]["verified"] == funnel.get("VERIFIED", 0)
    assert got["declarationFunnel"]["rejected"] == funnel.get("REJECTED", 0)
    assert got["declarationFunnel"]["duplicate"] == funnel.get("DUPLICATE", 0)
    assert got["declarationFunnel"]["medianHoursToReview"] == pytest.approx(review, rel=1e-3)
    assert got["occupancy"] == [
        {"tier": t, "patients": used.get(t, 0), "beds": beds.get(t, 0)} for t in (1, 2, 3)
    ]


TABLE = """query($m: [StatisticsMetric!]!, $d: [StatisticsDimension!], $f: StatisticsTableFilter) {
  statisticsTable(metrics: $m, dimensions: $d, filter: $f) { date areaCode areaName status tier metric value }
}"""


async def test_table_agrees_with_the_nested_figures(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    manager = token_of("bi", Role.MANAGER, "72")
    today = datetime.now(ZoneInfo(TZ)).date()
    window = {"from": (today - timedelta(days=13)).isoformat(), "to": today.isoformat()}
    nested = (await gql(client, QUERY, {"a": "712", **window}, manager))["data"]["statistics"]
    flat = await gql(
        client,
        TABLE,
        {"m": ["NEW_CASES", "REPORTS"], "d": ["DATE"], "f": {"areaCode": "712", **window}},
        manager,
    )
    rows = flat["data"]["statisticsTable"]
    for metric, key in (("NEW_CASES", "newCases"), ("REPORTS", "reports")):
        by_day = {r["date"]: r["value"] for r in rows if r["metric"] == metric}
        assert by_day == {d["date"]: d[key] for d in nested["daily"] if d[key]}
    patients = await gql(
        client,
        TABLE,
        {"m": ["PATIENTS"], "d": ["AREA", "STATUS"], "f": {"areaCode": "712"}},
        manager,
    )
    active: dict[str, int] = {}
    for row in patients["data"]["statisticsTable"]:
        assert row["areaName"]
        if row["status"] in ("HOME_TREATMENT", "IN_FACILITY"):
            active[row["areaCode"]] = active.get(row["areaCode"], 0) + row["value"]
    assert active == {
        b["area"]["code"]: b["activePatients"] for b in nested["breakdown"] if b["activePatients"]
    }


async def test_table_rules_and_suppression(client: httpx.AsyncClient, demo: SeedResult) -> None:
    manager = token_of("bi", Role.MANAGER, "72")
    bad = await gql(client, TABLE, {"m": ["PATIENTS"], "d": ["DATE"]}, manager)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["errors"][0]["message"].startswith("dimensions")
    events = await gql(client, TABLE, {"m": ["REPORTS"], "d": ["STATUS"]}, manager, "en")
    assert events["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "STATUS and TIER apply to PATIENTS only" in events["errors"][0]["message"]
    args = {"m": ["PATIENTS"], "d": ["AREA"], "f": {"areaCode": "712"}}
    exact = {
        r["areaCode"]: r["value"]
        for r in (await gql(client, TABLE, args, manager))["data"]["statisticsTable"]
    }
    shown = {
        r["areaCode"]: r["value"]
        for r in (await gql(client, TABLE, args, token_of("bi", Role.ANALYST, "72")))["data"][
            "statisticsTable"
        ]
    }
    assert shown == {code: (None if 1 <= n <= 4 else n) for code, n in exact.items()}


async def test_analysts_get_no_share_of_a_few_people(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # given a commune with two patients at home, one of whom reported today
    async with sessions.begin() as session:
        commune = (await communes_of(session, "001"))[2]
        await make_patient(session, commune, last_report_at=datetime.now(UTC))
        await make_patient(session, commune)
    ask = "query($a: ID) { statistics(areaCode: $a) { activePatients reportCompliance } }"
    # then a manager sees the share, an analyst sees neither the count nor the share
    manager = await gql(client, ask, {"a": commune}, token_of("m", Role.MANAGER, commune))
    assert manager["data"]["statistics"] == {"activePatients": 2, "reportCompliance": 0.5}
    analyst = await gql(client, ask, {"a": commune}, token_of("bi", Role.ANALYST, commune))
    assert analyst["data"]["statistics"] == {"activePatients": None, "reportCompliance": None}
