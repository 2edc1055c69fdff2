"""Fixtures of the autograde tests; shared paths and helpers live in ag_support.py."""

from __future__ import annotations

import pytest
from ag_support import copy_fixture_course

from autograde.config import Course


@pytest.fixture
def tiny(tmp_path) -> Course:
    """A private copy of the fixture course, not released yet."""
    return copy_fixture_course(tmp_path)
