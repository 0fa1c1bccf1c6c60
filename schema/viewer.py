"""Who the API thinks is asking."""

from __future__ import annotations

import strawberry

from resolvers.viewer import Role
from resolvers.viewer import Viewer as ViewerRow

__all__ = ["Viewer"]


@strawberry.type(description="The caller of this request, as its API key or token says.")
class Viewer:
    name: str
    role: Role
    scope: list[str] = strawberry.field(
        description="Division codes whose personal data this viewer may see."
    )

    @classmethod
    def from_viewer(cls, viewer: ViewerRow) -> Viewer:
        return cls(name=viewer.name, role=viewer.role, scope=sorted(viewer.scope))
