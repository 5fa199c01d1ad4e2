"""API token authentication with an expiry: DRF's token, refused once older than
API_TOKEN_MAX_AGE_HOURS. A new token comes from the token endpoint (`centres.services.accounts`)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

TOKEN_EXPIRED_MESSAGE = _("This token has expired. Ask for a new one at /api/v1/auth/token/.")


def token_is_expired(created) -> bool:
    return created <= timezone.now() - timedelta(hours=settings.API_TOKEN_MAX_AGE_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token.created):
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED_MESSAGE)
        return user, token
