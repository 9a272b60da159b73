"""What a device swapped on site does to a partner's case (pure): a replacement or the repaired device
in the case's device's place ends the case fixed; a loaner standing in is only a note; a swap elsewhere
leaves the case alone. A swap on a register entry that stands for many identical units is one the
register refuses (one serial cannot replace one of 48 speakers), so it ends nothing either: otherwise
the case would say fixed while the register still holds the faulty device."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SwapEffect(StrEnum):
    NONE = "none"  # another device's swap: the case does not hear of it
    LOANER = "loaner_installed"  # noted on the case; the partner still owes the repair
    FIXED = "fixed"  # the case ends fixed
    NOT_TAKEN = "swap_not_taken"  # it names the case but cannot end it: noted with the reason


@dataclass(frozen=True)
class SwapOnCase:
    effect: SwapEffect
    reason: str | None = None


def swap_on_case(
    *,
    case_number: str,
    case_asset_tag: str | None,
    swapped_asset_tag: str,
    named_case: str | None,
    loaner: bool,
    units_at_swapped_tag: int | None,
) -> SwapOnCase:
    names_this_case = named_case == case_number
    if named_case is not None and not names_this_case:
        return SwapOnCase(SwapEffect.NONE)
    if case_asset_tag is not None and swapped_asset_tag != case_asset_tag:
        if names_this_case:
            return SwapOnCase(
                SwapEffect.NOT_TAKEN, f"the swap is on {swapped_asset_tag}, the case's device is {case_asset_tag}"
            )
        return SwapOnCase(SwapEffect.NONE)
    if (units_at_swapped_tag or 1) > 1:
        return SwapOnCase(
            SwapEffect.NOT_TAKEN,
            f"{swapped_asset_tag} stands for {units_at_swapped_tag} devices in the register, which swaps single ones",
        )
    return SwapOnCase(SwapEffect.LOANER if loaner else SwapEffect.FIXED)
