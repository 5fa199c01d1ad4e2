"""The shared cache (Redis) as a helper that never takes a request down with it.

Rate limits, API throttles and short-lived answers live in the cache. When Redis is unreachable,
each cache call answers as for an empty cache (a miss, "not added", "not stored") after one short
connection attempt, and a warning is logged: public forms, logins and the API keep working, limits
fail open for the outage (django-axes' lockouts live in the database and still hold)."""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Without these, a Redis host that drops packets would hold each request for the OS's connect
# timeout (minutes) instead of failing soft at once.
DEFAULT_SOCKET_TIMEOUT_SECONDS = 1.0
# One warning per process this often while Redis stays unreachable, not one per cache call.
WARNING_INTERVAL_SECONDS = 60.0
_last_warning = float("-inf")


def _unreachable(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARNING_INTERVAL_SECONDS:
        _last_warning = now
        logger.warning("cache unreachable (%s on %s): answering as a miss", type(error).__name__, operation)


class FailSoftRedisCacheClient(RedisCacheClient):
    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except (RedisError, OSError) as error:
            _unreachable("add", error)
            return False

    def get(self, key, default):
        try:
            return super().get(key, default)
        except (RedisError, OSError) as error:
            _unreachable("get", error)
            return default

    def set(self, key, value, timeout):
        try:
            super().set(key, value, timeout)
        except (RedisError, OSError) as error:
            _unreachable("set", error)

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except (RedisError, OSError) as error:
            _unreachable("touch", error)
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except (RedisError, OSError) as error:
            _unreachable("delete", error)
            return False

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except (RedisError, OSError) as error:
            _unreachable("get_many", error)
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except (RedisError, OSError) as error:
            _unreachable("has_key", error)
            return False

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except (RedisError, OSError) as error:
            _unreachable("incr", error)
            # What Django's caches raise for a key they do not hold.
            raise ValueError("Key not found: the cache is unreachable") from error

    def set_many(self, data, timeout):
        try:
            super().set_many(data, timeout)
        except (RedisError, OSError) as error:
            _unreachable("set_many", error)

    def delete_many(self, keys):
        try:
            super().delete_many(keys)
        except (RedisError, OSError) as error:
            _unreachable("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except (RedisError, OSError) as error:
            _unreachable("clear", error)
            return False


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache whose every call survives Redis being down (see the module)."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient


def cache_from_url(url: str) -> dict:
    """The CACHES entry for a CACHE_URL (django-environ's reading of it), with Django's Redis
    cache replaced by the fail-soft one."""
    import environ

    config = environ.Env.cache_url_config(url)
    # django-environ leaves `?key_prefix=...` in lower case for Django's Redis cache, where
    # Django does not read it: installations sharing one Redis need the prefix.
    for option in ("TIMEOUT", "KEY_PREFIX", "VERSION"):
        if option.lower() in config:
            config[option] = config.pop(option.lower())
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "config.cache_backends.FailSoftRedisCache"
    return config
