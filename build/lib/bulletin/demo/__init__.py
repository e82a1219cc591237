"""The fixed-seed demo newsroom used by `make run`, the tests and the benchmarks. Imports newsroom.

Everything in it is generated from word lists and drawn with Pillow: no real article is copied.
"""
