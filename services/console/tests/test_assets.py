"""What the pages are made of: every English message of the templates and the page code has its
Chinese, no translation is left over, and the vendored browser libraries are the pinned copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.console.web import rendering

WEB = Path(rendering.__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def _messages_in_the_code() -> set[str]:
    found = extract_from_dir(str(WEB), METHODS, keywords={"_": None, "N_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_message_has_its_chinese_and_none_is_left_over() -> None:
    with (WEB / "locales" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    translated = {message.id: message.string for message in catalog if message.id}
    wanted = _messages_in_the_code()
    assert len(wanted) > 100
    assert sorted(wanted - set(translated)) == [], "messages without a translation"
    assert sorted(set(translated) - wanted) == [], "translations of messages no page uses"
    assert [m for m, text in translated.items() if not text] == []
    assert rendering.translations("zh").gettext("Take a call") == "接报"


def test_the_vendored_libraries_are_the_pinned_copies() -> None:
    vendor = WEB / "static" / "vendor"
    pinned = dict(line.split()[::-1] for line in (vendor / "SHA256SUMS").read_text().splitlines())
    files = {path.relative_to(vendor).as_posix() for pattern in ("*.js", "*.wasm") for path in vendor.rglob(pattern)}
    assert set(pinned) == files
    for name, digest in pinned.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    loaders = [*(WEB / "templates").glob("*.html"), WEB / "static" / "field-sw.js"]  # Workbox: the phone's worker
    loading = "".join(path.read_text() for path in loaders)
    for name in pinned:
        assert f"/static/vendor/{name}" in loading, f"{name} is vendored but nothing loads it"
