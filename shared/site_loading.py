"""Loading a site file over HTTP: the administrator's page sends the site description (the TOML file
`aftercare seed` loads) to every service that keeps a part of it, and each loads its own part as the seed
step does. Adding a site and changing one are the same: the file says the whole site."""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from shared.access import AccessTable, only
from shared.problems import Problem
from shared.refusals import Refused
from shared.runtime import ServiceRuntime
from shared.site_file import SiteFile

site_loading = APIRouter(tags=["operations"])
SITE_LOADING_ACCESS: AccessTable = {("PUT", "/sites/{site_code}/site-file"): only()}  # administrators
MEDIA_TYPE = "application/toml"


def checked_site_file(site_code: str, text: str) -> SiteFile:
    """The site file as the seed step reads it, for site `site_code`; a Problem says what to fix."""
    described = read_site_file(text)
    if described.site.code != site_code:
        raise Problem(
            422, "other_site", f"the file describes site {described.site.code!r}, not {site_code!r}: send it there"
        )
    return described


def read_site_file(text: str) -> SiteFile:
    """The site file as the seed step reads it; a Problem says what to fix."""
    try:
        described = SiteFile.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as unreadable:
        raise Problem(422, "unreadable_site_file", f"not a TOML site file: {unreadable}") from unreadable
    except ValidationError as invalid:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in invalid.errors()[:20])
        raise Problem(422, "invalid_site_file", problems) from invalid
    return described


@site_loading.put(
    "/sites/{site_code}/site-file",
    openapi_extra={"requestBody": {"required": True, "content": {MEDIA_TYPE: {}}}},
)
async def load_site_file_sent(site_code: str, request: Request) -> dict[str, Any]:
    """Load this service's part of the site's description (the TOML site file, as the body), as
    `aftercare seed` does: a new site, or the site as it now stands."""
    runtime: ServiceRuntime = request.app.state.runtime
    if runtime.definition.seed is None:
        raise Problem(404, "no_site_part", f"{runtime.definition.name} keeps no part of a site's description")
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as undecodable:
        raise Problem(422, "unreadable_site_file", f"the site file must be UTF-8: {undecodable}") from undecodable
    checked_site_file(site_code, text)
    loaded = await load_part(runtime, site_code, text)
    return {"service": runtime.definition.name, "site_code": site_code, "loaded": loaded}


async def load_part(runtime: ServiceRuntime, site_code: str, text: str) -> str | None:
    """Load the service's part of a checked site file; what its own rules refuse (a plan that makes no
    sense, a channel nobody knows) is a Problem that says so."""
    seed = runtime.definition.seed
    if seed is None:
        return None
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{site_code}.toml"
        path.write_text(text, encoding="utf-8")
        try:
            return await seed(runtime.database, path)
        except Refused as refused:
            raise Problem(422, "invalid_site_file", f"{runtime.definition.name}: {refused.message}") from refused
        except ValueError as invalid:
            raise Problem(422, "invalid_site_file", f"{runtime.definition.name}: {invalid}") from invalid
