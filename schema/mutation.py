"""The root Mutation type."""

from __future__ import annotations

import strawberry

from domain.enums import Role
from resolvers import auth as resolve_auth
from resolvers import declarations as resolve_declarations
from resolvers.context import Context
from schema.permissions import allow, public
from schema.types.declaration import (
    Declaration,
    ScreeningResultInput,
    SelfTestInput,
    VerifyDeclarationInput,
)
from schema.types.me import AuthPayload, Me
from schema.types.patient import Patient

REVIEWERS = (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF)


@strawberry.type(description="Everything that changes data.")
class Mutation:
    @strawberry.mutation(
        description=(
            "Staff login. Wrong username and wrong password answer alike; after 5 failures "
            "for one username within 5 minutes, attempts are refused with RATE_LIMITED."
        ),
        extensions=public(),
    )
    async def login(
        self, info: strawberry.Info[Context], username: str, password: str
    ) -> AuthPayload:
        result = await resolve_auth.login(info.context, username, password)
        return AuthPayload(
            access_token=result.access_token,
            expires_at=result.expires_at,
            me=Me.from_principal(result.principal),
        )

    @strawberry.mutation(
        description=(
            "A citizen declares their own positive home test. Idempotent by `idempotencyKey`."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def declare_self_test(
        self, info: strawberry.Info[Context], input: SelfTestInput
    ) -> Declaration:
        row = await resolve_declarations.declare_self_test(info.context, input.to_report())
        return Declaration.from_model(row)

    @strawberry.mutation(
        description=(
            "A screening hospital reports 1 to 500 positive results. The whole batch is "
            "checked first: if any row is invalid nothing is stored and the error lists every "
            "bad row by index and field. Idempotent per row by `idempotencyKey`."
        ),
        extensions=allow(Role.SCREENING_STAFF),
    )
    async def declare_screening_results(
        self, info: strawberry.Info[Context], input: list[ScreeningResultInput]
    ) -> list[Declaration]:
        rows = await resolve_declarations.declare_screening_results(
            info.context, [item.to_report() for item in input]
        )
        return [Declaration.from_model(row) for row in rows]

    @strawberry.mutation(
        description=(
            "Verify a PENDING declaration of the caller's area: creates the F0 patient (home "
            "treatment, tier 1), or links it to the same person's open case and marks it "
            "DUPLICATE. Home-care eligibility is evaluated and flagged on the patient."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def verify_declaration(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        input: VerifyDeclarationInput | None = None,
    ) -> Patient:
        given = input or VerifyDeclarationInput()
        verification = resolve_declarations.Verification(
            note=given.note,
            comorbidities=tuple(given.comorbidities or ()),
            vaccination_doses=given.vaccination_doses,
            spo2=given.spo2,
            respiratory_rate=given.respiratory_rate,
        )
        row = await resolve_declarations.verify(info.context, str(id), verification)
        return Patient.from_model(row)

    @strawberry.mutation(
        description="Reject a PENDING declaration of the caller's area (the citizen sees why).",
        extensions=allow(*REVIEWERS),
    )
    async def reject_declaration(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> Declaration:
        row = await resolve_declarations.reject(info.context, str(id), reason)
        return Declaration.from_model(row)
