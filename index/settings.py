"""The settings record: every user setting, resolved once in a command's ``main`` and passed down.

Each setting comes from its flag, else its ``SLIDEBANK_*`` environment variable, else the default
(``resolve_settings``). Only entry points (``*/__main__.py``, ``*/cli.py``, ``assistant/query.py``,
``app.py``) call it with ``os.environ``; no module below them reads or writes these variables, so a
library caller, a test or the app's tabs see exactly the values they were handed.

Values a command may not need (the worker memory cap, the model server's timeout) are kept as given
and checked where they are used (``worker_memory_bytes``, ``llm_timeout``), so a bad value for one
command never stops another.

Light on purpose (pathlib only): ``slidebank query`` resolves it before anything heavy loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from index.errors import InputError
from index.paths import default_data_dir

ENV_INDEX = "SLIDEBANK_INDEX"
ENV_BANK = "SLIDEBANK_BANK"
ENV_CACHE = "SLIDEBANK_CACHE"
ENV_STUDY_DB = "SLIDEBANK_STUDY_DB"
ENV_LLM_URL = "SLIDEBANK_LLM_URL"
ENV_LLM_TIMEOUT = "SLIDEBANK_LLM_TIMEOUT"  # seconds one model-server answer may take, request to last byte
ENV_LLM_API_KEY = "SLIDEBANK_LLM_API_KEY"  # most local servers ignore it; vLLM --api-key and hosted ones need it
ENV_WORKER_MEMORY = "SLIDEBANK_WORKER_MEMORY_MB"
ENV_QUERY_ENCODER = "SLIDEBANK_QUERY_ENCODER"
ENV_PDF_PASSWORD = "SLIDEBANK_PDF_PASSWORD"
ENV_DATABASE_URL = "SLIDEBANK_DATABASE_URL"

NO_BANK = "none"
DEFAULT_LLM_TIMEOUT_S = 120.0
# Address space, not resident memory: an idle worker with pypdf, pdfium and PIL maps about 70 MB,
# and drawing a 640-pixel thumbnail of a slide full of photographs about 150 MB more.
DEFAULT_WORKER_MEMORY_MB = 640
MIN_WORKER_MEMORY_MB = 128
DEFAULT_WORKER_MEMORY = DEFAULT_WORKER_MEMORY_MB << 20  # bytes


@dataclass(frozen=True)
class UserSettings:
    """What the user chose (or left to the defaults), for one run of one command.

    ``index_named``: given by flag or variable. A named index that is missing is an error; the
    default one may be missing (the bank still answers). ``bank_named``: given by flag. A bank
    given on the command line is used even when the index says it belongs to another deck; the
    default one, or the one $SLIDEBANK_BANK configures, is then left out.
    ``cache`` None: derived arrays are computed in memory and never written.
    """

    index: Path
    bank: Path  # Path("none"): no question bank at all
    cache: Path | None
    study_db: Path
    index_named: bool = False
    bank_named: bool = False
    llm_url: str | None = None
    llm_timeout_s: str = ""  # as given; ``llm_timeout`` checks it
    llm_api_key: str | None = None
    worker_memory_mb: str = ""  # as given; ``worker_memory_bytes`` checks it
    query_encoder: str = "auto"
    pdf_password: str | None = None
    database_url: str | None = None  # a PostgreSQL URL for a shared deployment; None: the files above

    @property
    def no_bank(self) -> bool:
        return str(self.bank) == NO_BANK

    def llm_timeout(self) -> float:
        """Seconds one model-server answer may take in all; an InputError names the bad value."""
        raw = self.llm_timeout_s.strip()
        if not raw:
            return DEFAULT_LLM_TIMEOUT_S
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 < value < float("inf"):
            raise InputError(f"{ENV_LLM_TIMEOUT}={raw!r}: give the model server timeout in seconds, above 0")
        return value

    def worker_memory_bytes(self) -> int:
        """The ingest workers' memory cap in bytes; an InputError names the bad value."""
        raw = self.worker_memory_mb.strip()
        if not raw:
            return DEFAULT_WORKER_MEMORY
        if not raw.isdigit() or int(raw) < MIN_WORKER_MEMORY_MB:
            raise InputError(
                f"{ENV_WORKER_MEMORY}={raw!r}: give the worker memory cap in MB, at least {MIN_WORKER_MEMORY_MB}"
            )
        return int(raw) << 20

    def with_(self, **changes: object) -> UserSettings:
        """A copy with some fields changed (a frozen record is never edited in place)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def default_settings(data_dir: Path | None = None) -> UserSettings:
    """The defaults alone, no flags and no environment: everything under ``data_dir`` (default
    ``data/`` of the checkout, or of the current folder for an installed copy)."""
    data = data_dir if data_dir is not None else default_data_dir()
    return UserSettings(
        index=data / "index", bank=data / "question_bank.md", cache=data / "cache", study_db=data / "study.sqlite"
    )


def resolve_settings(
    environ: Mapping[str, str],
    *,
    index: Path | str | None = None,
    bank: Path | str | None = None,
    study_db: Path | str | None = None,
    llm_url: str | None = None,
    llm_timeout_s: float | str | None = None,
    worker_memory_mb: int | str | None = None,
    query_encoder: str | None = None,
    pdf_password: str | None = None,
    database_url: str | None = None,
    data_dir: Path | None = None,
) -> UserSettings:
    """Flags (the keyword arguments; None: not given), then ``environ``, then the defaults."""

    def pick(flag: object, env: str) -> str | None:
        if flag is not None and str(flag) != "":
            return str(flag)
        return environ.get(env) or None

    base = default_settings(data_dir)
    index_choice = pick(index, ENV_INDEX)
    bank_choice = pick(bank, ENV_BANK)
    db_choice = pick(study_db, ENV_STUDY_DB)
    cache_choice = environ.get(ENV_CACHE) or None
    return UserSettings(
        index=Path(index_choice) if index_choice else base.index,
        bank=Path(bank_choice) if bank_choice else base.bank,
        cache=Path(cache_choice) if cache_choice else base.cache,
        study_db=Path(db_choice) if db_choice else base.study_db,
        index_named=index_choice is not None,
        bank_named=bank is not None and str(bank) != "",
        llm_url=pick(llm_url, ENV_LLM_URL),
        llm_timeout_s=pick(llm_timeout_s, ENV_LLM_TIMEOUT) or "",
        llm_api_key=environ.get(ENV_LLM_API_KEY) or None,
        worker_memory_mb=pick(worker_memory_mb, ENV_WORKER_MEMORY) or "",
        query_encoder=pick(query_encoder, ENV_QUERY_ENCODER) or "auto",
        pdf_password=pick(pdf_password, ENV_PDF_PASSWORD),
        database_url=_unless_none(pick(database_url, ENV_DATABASE_URL)),
    )


def _unless_none(value: str | None) -> str | None:
    return None if value is None or value.strip().lower() == NO_BANK else value
