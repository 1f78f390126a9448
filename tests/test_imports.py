"""The slow optional import jsonschema would make (rfc3987-syntax) is skipped, and
notebooks still validate."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import pytest

PROBE = ("import eperformance, sys, nbformat\n"
         "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
         "print(sys.modules.get('rfc3987_syntax', 'absent') is None)")


def _probe(**env: str) -> str:
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env=dict(os.environ, **env), check=True)
    return res.stdout.strip()


def test_nbformat_validates_without_the_slow_rfc3987_import() -> None:
    assert _probe() == "True"


def test_the_package_can_be_kept() -> None:
    try:
        metadata.distribution("rfc3987-syntax")
    except metadata.PackageNotFoundError:
        pytest.skip("rfc3987-syntax is not installed")
    assert _probe(EPERF_KEEP_RFC3987="1") == "False"
