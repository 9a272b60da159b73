"""`aftercare keys` and `aftercare token`: the key pair the suite's tokens are signed with, and a token
for a person and their roles (for curl, scripts and the demo, until the console signs people in)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from services.console.seed import OFFICE_IDENTITIES as OFFICE
from shared.identity import Identity, Role, TokenIssuer, generate_key_pair, one_line

LOCAL_KEYS = Path(".aftercare") / "keys"
# A token ends early only when its subject is a console person whose access changes (shared/access_ends.py);
# one for anybody else lives until it expires: a month at most.
MAX_HOURS = 24 * 31
PRIVATE_KEY_FILE_VARIABLE = "AFTERCARE_AUTH_PRIVATE_KEY_FILE"

# The demo site's people, one per role, as the console's seed names them; `make up` prints their tokens.
DEMO_PEOPLE = (
    *OFFICE,
    Identity("e01.hh138", "王磊 Wang Lei", frozenset({Role.ENGINEER}), engineer_id="E01"),
    Identity("hh138.customer", "Infinity Mall Property Management", frozenset({Role.CUSTOMER}), site_code="HH138"),
)


def keys(
    folder: Annotated[Path, typer.Option(help="Where the private key is written (never commit it).")] = LOCAL_KEYS,
) -> None:
    """Make a new Ed25519 key pair: the private key into FOLDER/private.pem and printed on one line for
    the console's CONSOLE_SIGNING_KEY (a secret), the public key for every service's
    AFTERCARE_AUTH_PUBLIC_KEY."""
    public = ensure_keys(folder, replace=True)
    typer.echo(f"private key: {folder / 'private.pem'}")
    typer.echo(f"AFTERCARE_AUTH_PUBLIC_KEY={public}")
    typer.echo(f"CONSOLE_SIGNING_KEY={one_line((folder / 'private.pem').read_text())}")


def token(
    subject: Annotated[str, typer.Argument(help="Who: a user name, e.g. liu.yang.")],
    role: Annotated[list[Role], typer.Option(help="A role (repeat for several).")],
    name: Annotated[str | None, typer.Option(help="The name history rows show; default: the subject.")] = None,
    engineer_id: Annotated[str | None, typer.Option(help="The engineer id of an engineer.")] = None,
    site: Annotated[str | None, typer.Option(help="The site a customer's representative belongs to.")] = None,
    hours: Annotated[float, typer.Option(help="How long the token is valid.", min=0.1, max=MAX_HOURS)] = 12,
) -> None:
    """Print a bearer token, signed with the private key in $AFTERCARE_AUTH_PRIVATE_KEY_FILE (default:
    .aftercare/keys/private.pem, which `aftercare keys` and `make up` make)."""
    person = Identity(subject, name or subject, frozenset(role), engineer_id=engineer_id, site_code=site)
    typer.echo(issuer(timedelta(hours=hours)).issue(person))


def issuer(lifetime: timedelta) -> TokenIssuer:
    path = Path(os.environ.get(PRIVATE_KEY_FILE_VARIABLE) or LOCAL_KEYS / "private.pem")
    if not path.exists():
        raise typer.BadParameter(f"no private key at {path}: run `aftercare keys` (or set {PRIVATE_KEY_FILE_VARIABLE})")
    return TokenIssuer(path.read_text(), issuer="aftercare", audience="aftercare", lifetime=lifetime)


def ensure_keys(folder: Path = LOCAL_KEYS, *, replace: bool = False) -> str:
    """The public key of the pair in `folder`, made first if there is none (or `replace`)."""
    private_file, public_file = folder / "private.pem", folder / "public.key"
    if replace or not private_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        private, public = generate_key_pair()
        private_file.touch(mode=0o600)
        private_file.write_text(private)
        public_file.write_text(public + "\n")
    return public_file.read_text().strip()


def demo_tokens(lifetime: timedelta = timedelta(hours=12)) -> dict[Identity, str]:
    signer = issuer(lifetime)
    return {person: signer.issue(person) for person in DEMO_PEOPLE}
