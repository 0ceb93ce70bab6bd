"""Groups of items joined pairwise: figures that conflict in a brief, actors and stories across a night."""

from __future__ import annotations


class UnionFind:
    """Groups of indices joined pairwise (figures that conflict here; actors and stories in the digest)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
