"""The `graphtwin` command line. The only place that prints or configures logging."""
