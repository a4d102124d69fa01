"""Research tools around the `matching` library: pipeline comparisons and benchmarks (not shipped with it)."""
