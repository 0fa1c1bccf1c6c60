"""GraphQL schema (strawberry): thin types over the rows the resolvers return."""

from schema.build import build_schema, print_sdl

__all__ = ["build_schema", "print_sdl"]
