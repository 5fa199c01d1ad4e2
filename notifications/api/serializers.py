"""Shapes of the notifications endpoints."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from centres.models import LANGUAGE_CHOICES, Centre
from config.api import BoundedDateTimeField, SlugField
from notifications.models import NewsletterIssue, NewsletterIssueText, NewsletterList, OutgoingMail


class NewsletterListSerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    confirmed_subscribers = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = NewsletterList
        fields = ["id", "centre", "name", "description", "is_public", "volunteering_news", "confirmed_subscribers"]
        validators: list[object] = []


class IssueTextSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)

    class Meta:
        model = NewsletterIssueText
        fields = ["language", "subject", "body"]


class IssueSerializer(serializers.ModelSerializer):
    newsletter: serializers.PrimaryKeyRelatedField[NewsletterList] = serializers.PrimaryKeyRelatedField(
        queryset=NewsletterList.objects
    )
    texts = IssueTextSerializer(many=True)
    scheduled_at = BoundedDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = NewsletterIssue
        fields = ["id", "newsletter", "title", "status", "scheduled_at", "started_at", "finished_at", "texts"]
        read_only_fields = ["id", "status", "scheduled_at", "started_at", "finished_at"]

    def validate_texts(self, texts):
        languages = [text["language"] for text in texts]
        if not texts:
            raise serializers.ValidationError(_("Write the issue in at least one language."))
        if len(languages) != len(set(languages)):
            raise serializers.ValidationError(_("Give each language once."))
        return texts


class ScheduleSerializer(serializers.Serializer):
    at = BoundedDateTimeField(required=False, help_text="Default: now.")


class TestSendSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, help_text="Default: your own address.")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class PreviewSerializer(serializers.Serializer):
    language = serializers.CharField()
    subject = serializers.CharField()
    html = serializers.CharField()
    text = serializers.CharField()


class FiguresSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    suppressed = serializers.IntegerField()
    delivered = serializers.IntegerField()
    bounced = serializers.IntegerField()
    complained = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()


class OutgoingMailSerializer(serializers.ModelSerializer):
    # A sensitive mail (a login, reset or confirmation link) shows no recipient or subject.
    recipient = serializers.CharField(source="shown_recipient", read_only=True)
    subject = serializers.CharField(source="shown_subject", read_only=True, help_text="As the recipient got it.")

    class Meta:
        model = OutgoingMail
        fields = [
            "id",
            "kind",
            "channel",
            "sensitive",
            "recipient",
            "language",
            "subject",
            "status",
            "attempts",
            "last_error",
            "delivery",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields
