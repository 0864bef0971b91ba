"""SQLAlchemy 2 persistence: tables, engine, repositories and the unit of work."""
