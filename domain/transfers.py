"""The tier-transfer state machine (chuyển tầng)."""

from __future__ import annotations

from domain.enums import TransferStatus

NEXT: dict[TransferStatus, frozenset[TransferStatus]] = {
    TransferStatus.REQUESTED: frozenset(
        {TransferStatus.ACCEPTED, TransferStatus.REJECTED, TransferStatus.CANCELLED}
    ),
    TransferStatus.ACCEPTED: frozenset({TransferStatus.COMPLETED, TransferStatus.CANCELLED}),
}


class IllegalTransition(Exception):
    """The transfer is not in a state that allows this step."""

    def __init__(self, current: TransferStatus, target: TransferStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in NEXT.get(current, frozenset()))) or "nothing"
        super().__init__(
            f"transfer is {current.value}; it cannot become {target.value} (allowed: {allowed})"
        )


def advance(current: TransferStatus, target: TransferStatus) -> TransferStatus:
    """`target` if the machine allows it from `current`, else IllegalTransition."""
    if target not in NEXT.get(current, frozenset()):
        raise IllegalTransition(current, target)
    return target
