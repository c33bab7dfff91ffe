"""The performance harness (`make bench`, `make bench-short`): not part of the product."""
