"""The Litestar HTTP adapter: controllers, wire schemas, guards and error mapping."""
