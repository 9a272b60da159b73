"""Which of the five service types a request is, when the person who took it did not say.

The hotline operator's choice always wins. Otherwise the description decides, in the order the
maintenance plan routes requests: a complaint goes to the quality desk whatever else it mentions;
a question is a consultation; a damaged device is a warranty repair; adjustments and training are
technical support; anything else is a fault.
"""

from __future__ import annotations

import re

from shared.contracts import ServiceKind

_SIGNALS: tuple[tuple[ServiceKind, tuple[str, ...]], ...] = (
    (ServiceKind.COMPLAINT, ("投诉", "不满", "complain", "unacceptable", "dissatisfied")),
    (ServiceKind.CONSULTATION, ("咨询", "请问", "如何", "怎么", "how do", "how to", "can we", "question")),
    (
        ServiceKind.WARRANTY_REPAIR,
        ("损坏", "坏了", "烧坏", "保修", "更换", "broken", "damaged", "burnt", "warranty", "replace"),
    ),
    (
        ServiceKind.TECHNICAL_SUPPORT,
        ("培训", "调试", "设置", "升级", "training", "adjust", "configure", "upgrade", "schedule change"),
    ),
)


def classify(description: str, stated: ServiceKind | None = None) -> ServiceKind:
    if stated is not None:
        return stated
    text = description.casefold()
    for kind, signals in _SIGNALS:
        if any(signal in text for signal in signals):
            return kind
    return ServiceKind.FAULT


def normalise(description: str) -> str:
    """The description as compared for repeats: case and spacing do not matter."""
    return re.sub(r"\s+", " ", description.casefold()).strip()
