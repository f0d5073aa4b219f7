"""Benchmarks of the batch jobs and the lists (SPEC §10, issue 15): each times the project's work and, in the
same run on the same data, what it is measured against, and prints one JSON line. Run them as modules:

    .venv/bin/python -m benchmarks.uplift --enrollments 1000000
    .venv/bin/python -m benchmarks.payments --enrollments 1000000
    .venv/bin/python -m benchmarks.lists --enrollments 1000000 --payments 10000000

They work in scratch databases made for the run on the server of DATABASE_URL, or on the embedded
PostgreSQL under var/ when it is unset, and dropped at the end (README "Benchmarks").
"""
