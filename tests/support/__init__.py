"""What the tests (and the benchmarks) share: paths, the one git runner, the base customer, team repositories,
the command helpers, spreadsheets (and the .xls fixture's rows), the site tests' repositories and the synthetic
book generator. Imported as ``tests.support.…`` from the repository root (pytest: ``pythonpath = ["."]``;
benchmarks: ``python -m benchmarks.NAME``)."""
