"""Benchmarks: Newsdesk side by side with a plain llama-index pipeline (`python -m bench` / `newsdesk bench`).

See bench/RESULTS.md for a full run on the development machine and the commands that produced it.
"""
