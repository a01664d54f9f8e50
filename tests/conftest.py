"""Shared fixtures: the project root, the shipped configuration, generated blanks."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from builders import CONFIG, ROOT, needs_soffice
from make_corpus import Case, build_corpus
from tqd_sheets.config import Config, load_config
from tqd_sheets.periods import Period
from tqd_sheets.template import write_khom_template, write_templates

__all__ = ["needs_soffice"]


def pytest_configure(config: pytest.Config) -> None:
    """History (history.md) lives beside the configuration, and many tests run the project's
    own tqd.toml: runs outside a test (module fixtures) keep theirs in a temporary folder."""
    os.environ.setdefault("TQD_LICH_SU", tempfile.mkdtemp(prefix="tqd-lich-su-"))


@pytest.fixture(autouse=True)
def _own_history(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test starts with an empty history: no run compares with another test's run."""
    monkeypatch.setenv("TQD_LICH_SU", str(tmp_path_factory.mktemp("lich-su")))


# CI must judge the code, not the dice: there the property tests replay the same examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def config_path() -> Path:
    return CONFIG


@pytest.fixture(scope="session")
def config(config_path: Path) -> Config:
    return load_config(config_path)


@pytest.fixture(scope="session")
def blanks(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Path:
    """The generated blank templates for 2020 (4 khóm + the ward), plus K1's for 2020Q2."""
    directory = tmp_path_factory.mktemp("blanks")
    write_templates(directory, config, Period.parse("2020"))
    q2 = Period.parse("2020Q2")
    write_khom_template(directory / "BieuKhom_K1_2020Q2.xlsx", config, q2, "K1")
    return directory


@pytest.fixture(scope="session")
def corpus_files(
    tmp_path_factory: pytest.TempPathFactory, config: Config
) -> list[tuple[Case, Path]]:
    """The bad-input corpus (make_corpus.py), built once for every test module that reads it."""
    directory = tmp_path_factory.mktemp("corpus")
    return [(case, directory / case.filename) for case in build_corpus(directory, config)]
