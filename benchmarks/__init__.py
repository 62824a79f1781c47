"""graphtwin benchmarks: the product measured against its own baseline in the same run.

Run them with `python -m benchmarks load|neo4j-start|all`; see docs/benchmarks.md. A benchmark is
never a timed unit test: it runs standalone, alternates baseline and product rounds, and reports
medians and ratios together with the machine and the versions it ran on.
"""
