"""Queue and schedule driven workers."""
