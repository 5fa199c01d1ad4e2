"""Who a limit counts: the client's address, the key under which lockouts (django-axes), API
throttles and the public forms' rate limits count its requests, and the username lockouts store."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# django-axes stores the username tried in a column of this many characters.
LOCKOUT_USERNAME_MAX_LENGTH = 255
# An IPv6 client is usually given a whole /64 (one customer's line or host), and it can pick any
# of its 2**64 addresses for each request: counting per address would count nothing.
IPV6_NETWORK_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front: then the address the
    outermost trusted proxy saw, taken from the right of X-Forwarded-For (the left is forgeable)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(count, len(hops))] if hops else remote


def client_network(request: HttpRequest) -> str:
    """What limits count per client: an IPv4 address as it is, an IPv6 address as the first
    address of its /64 network (``2001:db8:1:2::``), an IPv4-mapped IPv6 address as its IPv4
    address. Still an IP address, so django-axes can store it; anything unparsable as it came."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address.strip("[]").split("%")[0])
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network((parsed, IPV6_NETWORK_PREFIX), strict=False).network_address)


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes counts a login attempt under (AXES_USERNAME_CALLABLE): the one
    tried, as axes itself reads it, cut to the column that stores it. No account has a username
    that long, so the cut merges nothing real; uncut, any login form answered a 500 (DataError)."""
    field = settings.AXES_USERNAME_FORM_FIELD  # the login form's field, named in settings
    if credentials:
        username = credentials.get(field)
    else:
        data = getattr(request, "data", request.POST)
        username = data.get(field) if hasattr(data, "get") else None
    if username is None:
        return None
    return str(username)[:LOCKOUT_USERNAME_MAX_LENGTH]
