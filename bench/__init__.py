"""Benchmarks and the national-scale dataset generator."""
