"""Connected groups: the one union-find that story grouping and comparison share."""

from __future__ import annotations

from collections.abc import Iterable


class Groups:
    """Indices 0..count-1 joined into groups, link by link (union-find)."""

    def __init__(self, count: int) -> None:
        self._parent = list(range(count))

    def root(self, i: int) -> int:
        """The index that stands for the group of `i` (the same for the whole group)."""
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(self, a: int, b: int) -> None:
        """Join the groups of `a` and `b`."""
        self._parent[self.root(b)] = self.root(a)

    def groups(self) -> list[list[int]]:
        """Each group's indices in order; groups in the order of their first index."""
        groups: dict[int, list[int]] = {}
        for i in range(len(self._parent)):
            groups.setdefault(self.root(i), []).append(i)
        return sorted(groups.values(), key=lambda group: group[0])


def connected_groups(count: int, links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Indices 0..count-1 grouped by the links between them (transitively).

    Each group lists its indices in order; groups come in the order of their first index.
    """
    groups = Groups(count)
    for a, b in links:
        groups.link(a, b)
    return groups.groups()
