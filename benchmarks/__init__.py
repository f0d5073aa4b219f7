"""Benchmarks of the batch jobs (SPEC §10): each times the project's job and, in the same run on the same
data, the raw-SQL floor, and prints one JSON line. Run them as modules:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.uplift --enrollments 1000000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.payments --enrollments 1000000

They work in scratch databases made for the run on the server of DATABASE_URL and dropped at the end.
"""
