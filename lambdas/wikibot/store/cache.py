"""A small thread-safe LRU for values keyed by git object ids.

Object ids name immutable content, so entries never go stale and one cache can serve every
wiki in the process. Each cache is bounded by a total cost (bytes, or 1 per entry), so a warm
Lambda serving many tenants keeps a fixed memory ceiling.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable


class LRU[V]:
    """Least-recently-used cache with a total cost limit.

    Args:
        max_cost: Evict the oldest entries once the summed cost exceeds this.
        cost: Cost of one value (default 1, so `max_cost` is an entry count).
    """

    def __init__(self, max_cost: int, cost: Callable[[V], int] = lambda _: 1):
        self.max_cost = max_cost
        self._cost = cost
        self._items: OrderedDict[bytes, V] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: bytes, make: Callable[[], V]) -> V:
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
