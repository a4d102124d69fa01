"""One format for every status table: admin moderation, matches and consortium proposals."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Transition:
    """One allowed action: from which states, to which state, whether a reason is required."""

    action: str
    sources: frozenset
    target: enum.Enum
    reason_required: bool = False
    label: Any = None
    destructive: bool = False


def transition_table(*items: Transition) -> dict[str, Transition]:
    """A table of transitions by action name."""
    return {item.action: item for item in items}


def allowed_from(table: dict[str, Transition], current: enum.Enum | None) -> list[Transition]:
    """The transitions of a table allowed from the current state."""
    return [transition for transition in table.values() if current in transition.sources]
