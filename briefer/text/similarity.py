"""Connected groups: the one union-find that story grouping and comparison share."""

from __future__ import annotations

from collections.abc import Iterable


def connected_groups(count: int, links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Indices 0..count-1 grouped by the links between them (transitively).

    Each group lists its indices in order; groups come in the order of their first index.
    """
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda group: group[0])
