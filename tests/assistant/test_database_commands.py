"""query, eval and audit on the shared store (--database, real PostgreSQL), as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_run import assert_one_line_error, run_module

pytestmark = pytest.mark.postgres


def test_query_eval_and_audit_read_the_database(
    pg_course: str, hash_index: Path, bank_file: Path, tmp_path: Path
) -> None:
    shared = run_module("assistant.query", "--database", pg_course, "--json", "-k", "3", "explain kmeans")
    local = run_module(
        "assistant.query", "--index", hash_index, "--bank", bank_file, "--json", "-k", "3", "explain kmeans"
    )
    assert shared.returncode == local.returncode == 0, shared.stderr
    ranked = [s["number"] for s in json.loads(shared.stdout)["slides"]]
    assert ranked == [s["number"] for s in json.loads(local.stdout)["slides"]] and ranked
    evaluated = run_module("assistant.eval", "--database", pg_course, "--no-ablation", "--no-cv")
    assert evaluated.returncode == 0, evaluated.stderr
    assert "fused" in evaluated.stdout
    audited = run_module("assistant.audit", "--database", pg_course, "--json", "-q")
    assert audited.returncode == 0, audited.stderr
    assert json.loads(audited.stdout)
    assert_one_line_error(
        run_module("assistant.query", "--database", pg_course, "--index", tmp_path, "kmeans"), "not both"
    )
    hidden = pg_course.split(":")[2].split("@")[0]
    assert hidden not in shared.stdout + shared.stderr + evaluated.stdout + evaluated.stderr
