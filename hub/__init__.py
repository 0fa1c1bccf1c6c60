"""The shell of the hub: settings, the ASGI app, authentication and the CLI."""
