"""A fixed-window rate limit for public forms, counted in the cache per client address."""

from django.core.cache import cache
from django.http import HttpRequest

from config.client_ip import client_ip


def rate_limited(request: HttpRequest, *, scope: str, limit: int, seconds: int) -> bool:
    """Count this request against `limit` per `seconds` for the client's address in `scope`;
    True once the limit is passed. Use the same cache in every web process (CACHE_URL)."""
    key = f"ratelimit:{scope}:{client_ip(request)}"
    if cache.add(key, 1, timeout=seconds):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return False
