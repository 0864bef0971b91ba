"""In-memory adapters: the fakes that drive use-case tests without a database."""
