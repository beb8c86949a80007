"""A small thread-safe LRU, used for values keyed by (repository, git object id).

Object ids name immutable content, so entries never go stale. The store's caches are shared by
every wiki in the process but always keyed by repository as well as object id: a hit must never
answer one wiki from another wiki's objects. Each cache is bounded by a total cost (bytes, or 1
per entry), so a warm Lambda serving many tenants keeps a fixed memory ceiling.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class LRU[V]:
    """Least-recently-used cache with a total cost limit.

    Args:
        max_cost: Evict the oldest entries once the summed cost exceeds this.
        cost: Cost of one value (default 1, so `max_cost` is an entry count).
    """

    def __init__(self, max_cost: int, cost: Callable[[V], int] = lambda _: 1):
        self.max_cost = max_cost
        self._cost = cost
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> V | None:
        """The cached value for `key`, or None (its recency is left as it was)."""
        with self._lock:
            return self._items.get(key)

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value for `key`, or `make()` stored under it (made outside the lock)."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        value = make()
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._total += self._cost(value)
                while self._total > self.max_cost and len(self._items) > 1:
                    _, old = self._items.popitem(last=False)
                    self._total -= self._cost(old)
        return value
