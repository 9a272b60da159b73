"""HTML mail as plain text (pure): inscriptis lays the text out as a browser would (block elements on their
own lines, lists and tables readable, entities decoded, nothing of <script>, <style> or <head>).

Two marks are left in the text for the steps after it, and taken out by `take_marks`:
- CUT where the HTML itself says the quoted history or the signature begins (before the containers mail
  clients wrap them in, whose text stays), so that trimming does not depend on the quote header's words;
- the Content-ID of each inline picture (<img src="cid:...">) where it stood, so that a picture in the new
  words can be told from a logo in the signature or a picture of the quoted history.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import lxml.html
from inscriptis import Inscriptis  # type: ignore[import-untyped]
from inscriptis.model.config import ParserConfig  # type: ignore[import-untyped]
from lxml import etree

MAX_HTML_CHARS = 1_000_000  # a body larger than this is cut before it is parsed

CUT = "\ue000cut\ue000"  # private-use characters: never in a real mail's text
_CID = "\ue001"
RULE = "-" * 10  # what an <hr> becomes
_MARKS = re.compile(f"{CUT}|{_CID}([^{_CID}\\n]*){_CID}")

# Where clients put the quoted history (tag, attribute, pattern); from the list of quote containers in
# Proton Mail's web client (locateBlockquote: Gmail, Outlook/OWA divRplyFwdMsg, NetEase isReplyContent,
# 139 Mail reply139content, Thunderbird moz-cite-prefix, Apple Mail blockquote type=cite), plus Foxmail and
# QQ Mail's <includetail>, which wraps the original mail under a reply.
QUOTE_CONTAINERS: tuple[tuple[str | None, str | None, re.Pattern[str] | None], ...] = (
    ("blockquote", "type", re.compile(r"^cite$", re.I)),
    ("includetail", None, None),
    ("hr", "id", re.compile(r"^replySplit$", re.I)),
    (
        None,
        "class",
        re.compile(r"\b(gmail_quote|gmail_extra|yahoo_quoted|protonmail_quote|moz-cite-prefix|zmail_extra)\b", re.I),
    ),
    (
        None,
        "id",
        re.compile(
            r"^(divRplyFwdMsg|isReplyContent|mailcontent|origbody|reply139content|oriMsgHtmlSeperator"
            r"|mail-editor-reference-message-container|ntes-quote|QQMailQuote)$",
            re.I,
        ),
    ),
)
# Where clients put the sender's signature: Gmail gmail_signature, Thunderbird moz-signature, OWA
# Signature, NetEase spnEditorSign / ntes-signature, Foxmail and QQ Mail qmSign / signature divs.
SIGNATURE = re.compile(r"signature|spnEditorSign|qmSign|ntes-sign", re.I)
_DROPPED = ("head", "script", "style", "title", "noscript", "template")


def html_to_text(html: str) -> str:
    """The text of `html`, with its marks: inline pictures where they stood, CUT before each quote and
    signature container (whose text stays: the whole text keeps it, the new words end at the CUT)."""
    html = html[:MAX_HTML_CHARS]
    if not html.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.LxmlError, ValueError):
        return _tags_stripped(html)
    for element in list(root.iter(*_DROPPED)):
        _remove(element)
    for rule in list(root.iter("hr")):  # a rule often parts the words from the signature (Foxmail)
        if not _is_quote(rule):
            _replace(rule, "\n" + RULE + "\n", block=True)
    for image in list(root.iter("img")):
        source = (image.get("src") or "").strip()
        if source.lower().startswith("cid:"):
            _replace(image, f"{_CID}{_content_id(source[4:])}{_CID}")
    for element in list(root.iter()):
        if _starts_a_cut(element):
            marker = etree.Element("div")
            marker.text = f"\n{CUT}\n"
            element.addprevious(marker)
    try:
        text = str(Inscriptis(root, ParserConfig()).get_text())
    except Exception:  # inscriptis is not expected to fail; if it does, the text is still read
        text = _tags_stripped(html)
    if not text.strip():  # libxml2 gives up on absurdly deep nesting and returns an empty document
        text = _tags_stripped(html)
    return tidy(text)


def take_marks(text: str) -> tuple[str, frozenset[str]]:
    """`text` without the marks, and the Content-IDs of the inline pictures it showed."""
    cids = frozenset(match.group(1) for match in _MARKS.finditer(text) if match.group(1))
    return tidy(_MARKS.sub("", text)), cids


def tidy(text: str) -> str:
    """Lines stripped of edge whitespace, runs of blank lines made one, no blank edges."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _content_id(value: str) -> str:
    return unquote(value).strip().strip("<>").strip().lower().replace(_CID, "")  # RFC 2392 cid: URLs are %-encoded


def content_id(header: str | None) -> str:
    """A Content-ID header as the HTML's cid: references name it."""
    return _content_id(header or "")


def _matches(element: etree._Element, attribute: str | None, pattern: re.Pattern[str] | None) -> bool:
    if attribute is None or pattern is None:
        return True
    return bool(pattern.search(element.get(attribute) or ""))


def _is_quote(element: etree._Element) -> bool:
    tag = str(element.tag).lower()
    return any((want is None or want == tag) and _matches(element, a, p) for want, a, p in QUOTE_CONTAINERS)


def _starts_a_cut(element: etree._Element) -> bool:
    if not isinstance(element.tag, str) or element.getparent() is None:
        return False
    return _is_quote(element) or _is_signature(element)


def _is_signature(element: etree._Element) -> bool:
    return bool(SIGNATURE.search(element.get("id") or "") or SIGNATURE.search(element.get("class") or ""))


def _replace(element: etree._Element, text: str, *, block: bool = False) -> None:
    """Put `text` where `element` was (keeping what followed it), dropping the element."""
    parent = element.getparent()
    if parent is None:
        return
    if block:
        marker = etree.Element("div")
        marker.text = text
        marker.tail = element.tail
        parent.replace(element, marker)
        return
    previous = element.getprevious()
    addition = text + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(element)


def _remove(element: etree._Element) -> None:
    _replace(element, "")


def _tags_stripped(html: str) -> str:
    """A last resort for HTML lxml cannot read: tags dropped, breaks kept, common entities decoded."""
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)\s*>", "\n", text)
    return tidy(unescape(re.sub(r"<[^>]*>", "", text)))
