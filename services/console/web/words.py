"""Words to translate later: `N_` marks an English message where it is defined, so that extraction finds
it for the Chinese catalogue; the page translates it when it shows it."""


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later", which extraction finds
    return message
