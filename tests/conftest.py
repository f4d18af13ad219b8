"""pytest options of the test suite: ``--programs N`` sets how many fuzzer programs
``tests/test_fuzz.py`` runs (also the environment variable ``MINIGRAD_FUZZ_PROGRAMS``)."""

import os


def pytest_addoption(parser):
    parser.addoption(
        "--programs",
        type=int,
        default=int(os.environ.get("MINIGRAD_FUZZ_PROGRAMS", "300")),
        help="how many random programs the differential fuzzer (tests/test_fuzz.py) runs",
    )
