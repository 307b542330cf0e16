"""LLM backends behind one small interface; each imports its library only when chosen."""
