"""The performance benchmark (docs/performance.md): ``python -m tests.benchmarks``."""
