"""The addresses of a mail's From, Reply-To, To, Cc and Return-Path, read strictly (pure).

An address is one addr-spec or nothing: the hotline answers it, so a header that cannot be read as
addresses must not become one that answers many. RFC 2047 §5 forbids encoded words in an addr-spec, so
only display names are decoded; an address that still holds an encoded word, a comma, a quote, brackets,
whitespace or a second "@" is refused (`Address("")`, and `bad_address:<header>` in the problems), as is a
quoted local part ("a b"@x: legal, but no customer writes one) and a domain that is not a host name.
Addresses in UTF-8 (RFC 6532) and internationalised domains (IDNA) are read.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass

from services.intake.mail.domain.charsets import decode_header, unencoded

MAX_ADDRESSES = 100
MAX_NAME_CHARS = 200
MAX_LOCAL_CHARS = 64  # RFC 5321
MAX_ADDRESS_CHARS = 254

# A dot-atom local part: RFC 5322's atext, and letters and digits beyond ASCII (RFC 6532).
_ATOM = r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\x00-\x7f\W])+"
# A host name: labels of letters, digits and inner hyphens (also beyond ASCII: IDNA), at least two.
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_ADDR_SPEC = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?P<domain>{_LABEL}(?:\.{_LABEL})+)")


@dataclass(frozen=True)
class Address:
    email: str  # lower-cased addr-spec; "" if the header had none that could be read
    name: str = ""  # the display name, decoded


def addr_spec(text: str) -> str:
    """`text` lower-cased when it is a single valid addr-spec, else ""."""
    found = _ADDR_SPEC.fullmatch(text)
    if found is None or "=?" in text or len(text) > MAX_ADDRESS_CHARS:  # "=?": an encoded word, never decoded
        return ""
    if len(found.group("local")) > MAX_LOCAL_CHARS or not _is_host(found.group("domain")):
        return ""
    return text.lower()


def _is_host(domain: str) -> bool:
    if domain.isascii():
        return True
    try:
        domain.encode("idna")
    except UnicodeError:
        return False
    return True


def addresses(values: list[str], header: str, problems: list[str]) -> list[Address]:
    """The addresses of one header's `values` (raw, as sent), a refused one as `Address("")` and named."""
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # the parser is forgiving; if it still fails, nothing here is an address to answer
        pairs = [("", value) for value in values]
    if len(pairs) > 1 and ("", "") in pairs:  # the lenient parser lost its way (a@x)<b@y>, a@b@c): refused whole
        problems.append(f"bad_address:{header}")
        return [Address("")]
    found = []
    for name, spec in pairs[:MAX_ADDRESSES]:
        if not name and not spec:  # an empty header, or a group's name alone (undisclosed-recipients:;)
            continue
        email_address = addr_spec(unencoded(spec))  # 8-bit bytes guessed; encoded words left as they are
        if not email_address:
            problems.append(f"bad_address:{header}")
        shown = re.sub(r"\s+", " ", decode_header(name, problems)).strip()[:MAX_NAME_CHARS]
        found.append(Address(email=email_address, name=shown))
    return found


def return_path(values: list[str], problems: list[str]) -> str | None:
    """The envelope sender: "" for the null sender <> (a notification's), None if missing or unreadable."""
    if not values:
        return None
    value = values[0].strip()
    inside = value[1:-1].strip() if value.startswith("<") and value.endswith(">") else value
    if not inside:
        return ""
    spec = addr_spec(unencoded(inside))
    if not spec:
        problems.append("bad_address:return-path")
        return None
    return spec
