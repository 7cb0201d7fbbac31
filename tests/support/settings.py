"""The settings record a command would resolve here: flags given as keywords, then this process's
environment (which the tests' fixtures set), then the defaults. Library calls take the record;
only a command's ``main`` reads the environment itself."""

from __future__ import annotations

import os

from index.settings import UserSettings, resolve_settings


def configured(**flags: object) -> UserSettings:
    return resolve_settings(os.environ, **flags)  # type: ignore[arg-type]
