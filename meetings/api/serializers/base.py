"""The base of the meetings app's model serializers: date-times that cannot overflow."""

from django.db import models
from rest_framework import serializers

from config.api import BoundedDateTimeField


class ModelSerializer(serializers.ModelSerializer):
    """Model serializers of this app: date-times that cannot overflow."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: BoundedDateTimeField,
    }
