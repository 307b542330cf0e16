"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, steered by query analysis."""
