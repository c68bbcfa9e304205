"""schema.graphql is generated from code; the contract parts delivered so far hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schema import export_sdl

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DELIVERED = [
    "Query.area",
    "Query.areas",
    "Query.facilities",
    "Area",
    "Facility",
    "AreaLevel",
    # identity and the role-scoped schema
    "Query.me",
    "Query.patient",
    "Query.patients",
    "Mutation.login",
    "Me",
    "AuthPayload",
    "Role",
    "PatientConnection",
    "PatientEdge",
    "PageInfo",
    # case intake
    "Query.declaration",
    "Query.declarations",
    "Mutation.declareSelfTest",
    "Mutation.declareScreeningResults",
    "Mutation.verifyDeclaration",
    "Mutation.rejectDeclaration",
    "Declaration",
    "DeclarationConnection",
    "DeclarationEdge",
    "DeclarationFilter",
    "SelfTestInput",
    "ScreeningResultInput",
    "VerifyDeclarationInput",
    "DeclarationKind",
    "DeclarationStatus",
    "TestKind",
    "Sex",
    # home treatment and tier transfers
    "Patient",
    "HealthReport",
    "HealthReportConnection",
    "HealthReportEdge",
    "HealthReportInput",
    "ClinicalNote",
    "Transfer",
    "TransferConnection",
    "TransferEdge",
    "TransferFilter",
    "TransferRequestInput",
    "DischargeInput",
    "PatientFilter",
    "PatientUpdateInput",
    "Query.transfers",
    "Mutation.submitHealthReport",
    "Mutation.updatePatient",
    "Mutation.addClinicalNote",
    "Mutation.requestTransfer",
    "Mutation.acceptTransfer",
    "Mutation.rejectTransfer",
    "Mutation.completeTransfer",
    "Mutation.cancelTransfer",
    "Mutation.dischargePatient",
    "Severity",
    "PatientStatus",
    "TransferStatus",
    "DischargeOutcome",
    "Alert",
    "AlertKind",
    "AlertStatus",
    # emergency alerts in real time
    "Subscription",
    "Query.alerts",
    "Mutation.raiseSos",
    "Mutation.acknowledgeAlert",
    "Mutation.resolveAlert",
    "AlertEvent",
    "AlertEventType",
    "AlertConnection",
    "AlertEdge",
    "AlertFilter",
    "SosInput",
    # statistics (first part)
    "Query.statistics",
    "Statistics",
    "StatusCount",
    "SeverityCount",
    "TierCount",
    "DailyStatistics",
    "AreaStatistics",
]


def test_committed_schema_matches_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == export_sdl(), (
        "schema.graphql is stale: run `f0care export-schema -o schema.graphql`"
    )


def test_export_schema_command_prints_the_same() -> None:
    f0care = Path(sys.executable).parent / "f0care"
    printed = subprocess.run(
        [str(f0care), "export-schema"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert printed == export_sdl()
    assert export_sdl() == export_sdl()  # stable between calls


def test_contract_parts_delivered_so_far() -> None:
    checker = SHARED / "tools" / "contract_check.py"
    assert checker.exists(), f"the shared contract checker is missing at {checker}"
    result = subprocess.run(
        [sys.executable, str(checker), str(ROOT / "schema.graphql"), "--only", *DELIVERED],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
