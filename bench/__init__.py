"""Benchmarks: the system under test started by ``bench.harness``, driven by ``bench.load``."""
