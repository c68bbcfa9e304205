"""From an Authorization header to a Principal: verify the token, then its bindings."""

from __future__ import annotations

from auth.directory import Directory
from auth.principal import Principal
from auth.tokens import InvalidToken, TokenClaims, TokenVerifier
from domain.enums import AREA_BOUND_ROLES, FACILITY_BOUND_ROLES


async def authenticate(
    authorization: str | None, *, verifier: TokenVerifier, directory: Directory
) -> Principal:
    """The principal of a request; anonymous without a header, InvalidToken when it is bad."""
    if authorization is None or not authorization.strip():
        return Principal.anonymous()
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return await principal_of(verifier.verify(token.strip()), directory)


async def principal_of(claims: TokenClaims, directory: Directory) -> Principal:
    """Check that the token's account still accepts it, and that its area and facility
    exist and fit its role."""
    role = claims.role
    if claims.area is not None and claims.edition is not None:
        if claims.edition is not await directory.edition():  # first: it says where to go
            raise InvalidToken(await directory.not_in_use(claims.area, claims.edition))
    refused = directory.refusal(claims.subject, role, claims.version)
    if refused is not None:
        raise InvalidToken(refused)
    area = None
    facility = None
    if role in AREA_BOUND_ROLES and claims.area is None:
        raise InvalidToken(f"role {role.value} needs an area claim")
    if role in FACILITY_BOUND_ROLES and claims.facility is None:
        raise InvalidToken(f"role {role.value} needs a facility claim")
    if claims.area is not None:
        area = await directory.area(claims.area)
        if area is None:
            raise InvalidToken(await directory.not_in_use(claims.area, None))
    if claims.facility is not None:
        facility = await directory.facility(claims.facility)
        if facility is None:
            raise InvalidToken("token facility does not exist")
    return Principal(
        subject=claims.subject,
        role=role,
        area=area,
        facility=facility,
        expires_at=claims.expires_at,
        version=claims.version,
        must_change_password=claims.must_change_password,
    )
