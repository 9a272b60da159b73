"""Words found in the archive's documents: anywhere in a document's indexed text for staff; for a
customer, only in what they see of it (domain/customer_copy.py)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Text, and_, cast, exists, func, literal, or_
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, JSONPATH, array

from services.archive.db.tables import document_index, documents
from services.archive.domain.customer_copy import STAFF_FIELDS
from shared.persistence import like


def text_has(pattern: str) -> ColumnElement[bool]:
    return document_index.c.text.ilike(pattern, escape=like.ESCAPE)


def customer_text_has(pattern: str) -> ColumnElement[bool]:
    """The word is in what the customer sees of the document: its indexed text, or for a document the
    customer sees as a copy, the copy's text (domain/search.py's, from the filed content without the
    fields the copy leaves out), so that a word of the complaint's internal handling finds nothing."""
    copied = [category.value for category in STAFF_FIELDS]
    return or_(
        and_(documents.c.category.not_in(copied), text_has(pattern)),
        *(
            and_(documents.c.category == category.value, _copy_text_has(fields, pattern))
            for category, fields in STAFF_FIELDS.items()
        ),
    )


# Every text and number a JSON document holds, at any depth: searchable_text's values (it also skips
# pictures, `*_png`, which no copied document holds).
_VALUES = 'strict $.** ? (@.type() == "string" || @.type() == "number")'


def _copy_text_has(left_out: frozenset[str], pattern: str) -> ColumnElement[bool]:
    copy = cast(documents.c.content, JSONB).op("-")(cast(array(sorted(left_out)), ARRAY(Text)))
    value = func.jsonb_path_query(copy, cast(literal(_VALUES), JSONPATH)).column_valued("value")
    as_text = value.op("#>>", return_type=Text)(cast(literal("{}"), ARRAY(Text)))
    return or_(
        documents.c.title.ilike(pattern, escape=like.ESCAPE), exists().where(as_text.ilike(pattern, escape=like.ESCAPE))
    )
