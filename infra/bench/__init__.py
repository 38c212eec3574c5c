"""Benchmarks, each runnable as `python -m infra.bench.<name>`."""
