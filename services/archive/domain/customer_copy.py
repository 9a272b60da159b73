"""What a site's customer sees of the archive: which documents are theirs, and the customer's copy of a
document they see without all of it (the complaint handling record, without its internal handling).

The rule is shared/contracts/visibility.py's, which also decides what a customer sees of each event;
this module only applies it to the archive's documents and timeline rows. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.archive.domain.documents import Category
from shared.contracts.visibility import COMPLAINT_RECORD_STAFF_FIELDS, CUSTOMER_DOCUMENTS, customer_view

CUSTOMER_CATEGORIES: frozenset[Category] = frozenset(Category(code) for code in CUSTOMER_DOCUMENTS)
"""The categories whose documents a customer sees; every other category's are the staff's alone."""

STAFF_FIELDS: Mapping[Category, frozenset[str]] = {Category.COMPLAINT: COMPLAINT_RECORD_STAFF_FIELDS}
"""The categories a customer sees as a copy: the content's top-level fields their copy leaves out."""

CUSTOMER_FORMS: Mapping[Category, str] = {Category.COMPLAINT: "complaint_record_customer"}
"""The form (forms/*.typ) each copy is typeset in: one that names none of the fields left out."""


def for_customer(category: str) -> bool:
    """Whether a customer sees documents of this category (given by its code: REC, DSP ...)."""
    return category in CUSTOMER_DOCUMENTS


def is_copied(category: str) -> bool:
    """Whether a customer gets a copy of documents of this category rather than the document as filed."""
    return category in {hidden.value for hidden in STAFF_FIELDS}


def customer_copy(category: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """The content of a document as its customer sees it: without its category's staff-only fields.
    A category the customer does not see has no customer copy (ValueError): callers decide that first."""
    if not for_customer(category):
        raise ValueError(f"documents of category {category} are not the customer's")
    left_out = STAFF_FIELDS.get(Category(category), frozenset())
    copy = {name: value for name, value in content.items() if name not in left_out}
    if isinstance(copy.get("words"), Mapping):  # the words for a field left out would tell it
        copy["words"] = {vocabulary: said for vocabulary, said in copy["words"].items() if vocabulary not in left_out}
    return copy


def customer_form(category: str) -> str:
    """The form the customer's copy of a document of this category is typeset in."""
    return CUSTOMER_FORMS[Category(category)]


def customer_timeline(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Timeline rows (each with its event's `type` and `payload`) as the customer sees them: each
    payload cut to its customer view, the rows of events that are the staff's alone left out."""
    seen = []
    for row in rows:
        payload = customer_view(row["type"], row["payload"])
        if payload is not None:
            seen.append({**row, "payload": payload})
    return seen
