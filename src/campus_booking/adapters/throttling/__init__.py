"""Failure counters for sign-in throttling: in memory for one process, in Redis for many."""
