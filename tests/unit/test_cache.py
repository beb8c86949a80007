from wikibot.store.cache import LRU


def test_lru_makes_once_and_evicts_oldest_past_its_cost_limit():
    made = []
    cache = LRU(10, cost=len)

    def make(value):
        return lambda: made.append(value) or value

    assert cache.get_or_make(b"a", make("aaaa")) == "aaaa"
    assert cache.get_or_make(b"a", make("other")) == "aaaa"  # cached: not made again
    cache.get_or_make(b"b", make("bbbb"))
    cache.get_or_make(b"a", make("x"))  # touch a: b is now the oldest
    cache.get_or_make(b"c", make("cccc"))  # 12 > 10: evicts b
    assert made == ["aaaa", "bbbb", "cccc"]
    assert cache.get_or_make(b"a", make("new a")) == "aaaa"
    assert cache.get_or_make(b"b", make("new b")) == "new b"
