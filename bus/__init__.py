"""The bus runtime: envelope, topology, publishing, route engine, HTTP server and CLI."""
