"""Benchmarks of the course against their targets: grading, widgets, lessons, environment, browser, memory.

Run them with ``make bench`` (or ``python -m benchmarks``); the results table is written to
docs/performance.md. These are measurements, not tests: nothing here asserts a time.
"""
