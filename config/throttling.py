"""The API's throttles count per client as the rate limits and lockouts do."""

from rest_framework.throttling import ScopedRateThrottle

from config.client_ip import client_network


class ClientScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, keyed by `client_network`: one IPv6 /64 is one client, and
    X-Forwarded-For is read as TRUSTED_PROXY_COUNT says."""

    def get_ident(self, request) -> str:
        return client_network(request)
