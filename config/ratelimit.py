"""A fixed-window rate limit for public forms, counted in the cache per client (an IPv4 address,
an IPv6 /64 network: `config.client_ip.client_network`)."""

from django.core.cache import cache
from django.http import HttpRequest

from config.client_ip import client_network


def rate_limited(request: HttpRequest, *, scope: str, limit: int, seconds: int) -> bool:
    """Count this request against `limit` per `seconds` for the client in `scope`; True once the
    limit is passed. Use the same cache in every web process (CACHE_URL)."""
    return count_exceeds(f"ratelimit:{scope}:{client_network(request)}", limit=limit, seconds=seconds)


def count_exceeds(key: str, *, limit: int, seconds: int) -> bool:
    """Count one more under `key` in a window of `seconds`; True once the count passes `limit`.
    With the cache unreachable nothing is counted and the answer is False: a form keeps working
    through a Redis outage (`config.cache_backends` logs it)."""
    if cache.add(key, 1, timeout=seconds):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr, or the cache is unreachable
        cache.add(key, 1, timeout=seconds)
        return False
