"""Benchmarks: ``python -m bench`` (or ``make bench``). Timings live here, not in the tests."""
