"""Tools for the desk: quick post for breaking news and the embedded scheduler. Imports newsroom."""
