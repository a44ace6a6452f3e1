"""pytest-benchmark variant of ``bench_propagation.py``.

Not part of the normal test run (the project's ``testpaths`` are ``tests``
and ``grundschutz``). Run it with::

    python -m pytest benchmarks/ --benchmark-only

Times ``read_assessment`` (parse + validate), ``propagate`` and
``needs_records`` on synthetic assessments of 1,000 and 10,000 objects.
"""

from __future__ import annotations

import pytest
from synthetic import write_synthetic

from grundschutz import needs_records, propagate, read_assessment

SIZES = (1_000, 10_000)


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}-objects")
def folder(request, tmp_path_factory):
    """A synthetic assessment folder of the parametrised size."""
    return write_synthetic(tmp_path_factory.mktemp(f"synthetic-{request.param}"), request.param, seed=0)


@pytest.fixture(scope="module")
def assessment(folder):
    """The synthetic assessment, read once."""
    return read_assessment(folder)


@pytest.fixture(scope="module")
def result(assessment):
    """The propagation of the synthetic assessment, computed once."""
    return propagate(assessment)


def test_read_assessment(benchmark, folder):
    assessment = benchmark(read_assessment, folder)
    assert len(assessment.objects) in SIZES


def test_propagate(benchmark, assessment):
    result = benchmark(propagate, assessment)
    assert result.cycles  # the synthetic landscape has domain controller <-> DNS cycles


def test_needs_records(benchmark, result):
    records = benchmark(needs_records, result)
    assert len(records) == len(result.index)
