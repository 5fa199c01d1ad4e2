"""The base of the meetings endpoints: staff of the centres in scope; an update may take its own
serializer."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework import mixins, viewsets
from rest_framework.serializers import BaseSerializer

from centres.api.permissions import IsCentreStaff
from config.api import CentreScopedMixin, signed_in_user


class StaffViewSet(CentreScopedMixin, viewsets.GenericViewSet):
    permission_classes = [IsCentreStaff]
    update_serializer_class: type[BaseSerializer[Any]] | None = None

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()

    @property
    def actor(self) -> AbstractBaseUser:
        """The signed-in staff user (IsCentreStaff lets no one else in), as services take it."""
        return signed_in_user(self.request)


class ListCreateRetrieveUpdate(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin
):
    pass
