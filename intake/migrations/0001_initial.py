"""Enquiry and EnquiryNote, which began in the meetings app (`meetings.0012_enquiry_moves_to_intake`),
join intake's state. Their tables keep their names (db_table), so nothing happens in the
database: the state is created, not the tables."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("centres", "0010_consent_source_confirmation_link"),
        ("meetings", "0012_enquiry_moves_to_intake"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Enquiry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "person_created",
                            models.BooleanField(default=False, verbose_name="person new with this enquiry"),
                        ),
                        (
                            "awaiting_confirmation",
                            models.BooleanField(
                                default=False,
                                help_text="The enquiry used an address the centre knew; it counts only once that address confirms it.",
                                verbose_name="waiting for the e-mail address to confirm",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("web", "Web form"),
                                    ("email", "E-mail"),
                                    ("phone", "Phone"),
                                    ("in_person", "In person"),
                                ],
                                max_length=20,
                                verbose_name="channel",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("new", "New"),
                                    ("contacted", "Contacted"),
                                    ("conversation_scheduled", "Intake conversation scheduled"),
                                    ("conversation_held", "Intake conversation held"),
                                    ("placed", "Placed in a group"),
                                    ("waiting", "On a waiting list"),
                                    ("referred", "Referred elsewhere"),
                                    ("withdrawn", "Withdrawn"),
                                    ("closed", "Closed"),
                                ],
                                default="new",
                                max_length=30,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "language",
                            models.CharField(
                                choices=[("en", "English"), ("de", "German"), ("da", "Danish"), ("nl", "Dutch")],
                                max_length=8,
                                verbose_name="preferred language",
                            ),
                        ),
                        ("age_band", models.CharField(blank=True, default="", max_length=10, verbose_name="age band")),
                        (
                            "weekdays",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="0 = Monday … 6 = Sunday.",
                                verbose_name="preferred weekdays",
                            ),
                        ),
                        ("daytime", models.BooleanField(default=False, verbose_name="daytime suits")),
                        ("evening", models.BooleanField(default=False, verbose_name="evening suits")),
                        ("is_relative", models.BooleanField(default=False, verbose_name="asks as a relative")),
                        ("message", models.TextField(blank=True, verbose_name="message")),
                        (
                            "conversation_kind",
                            models.CharField(
                                blank=True,
                                choices=[("phone", "By phone"), ("in_person", "In person")],
                                default="",
                                max_length=20,
                                verbose_name="conversation",
                            ),
                        ),
                        (
                            "conversation_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="conversation at"),
                        ),
                        ("waiting_since", models.DateField(blank=True, null=True, verbose_name="waiting since")),
                        ("referred_to", models.CharField(blank=True, max_length=200, verbose_name="referred to")),
                        ("created_at", models.DateTimeField(verbose_name="received at")),
                        ("status_changed_at", models.DateTimeField(verbose_name="status changed at")),
                        (
                            "finished_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="When it was placed, referred, withdrawn or closed.",
                                null=True,
                                verbose_name="finished at",
                            ),
                        ),
                        ("anonymised_at", models.DateTimeField(blank=True, null=True, verbose_name="anonymised at")),
                        (
                            "centre",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="centres.centre",
                                verbose_name="centre",
                            ),
                        ),
                        (
                            "consent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="centres.consentrecord",
                                verbose_name="consent to process health-related data",
                            ),
                        ),
                        (
                            "conversation_meeting",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="meetings.meeting",
                                verbose_name="room booking for the conversation",
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="meetings.location",
                                verbose_name="preferred location",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty once the enquiry is anonymised.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="enquiries",
                                to="centres.person",
                                verbose_name="person",
                            ),
                        ),
                        (
                            "placed_group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="meetings.group",
                                verbose_name="placed in",
                            ),
                        ),
                        (
                            "topics",
                            models.ManyToManyField(
                                blank=True,
                                db_table="meetings_enquiry_topics",
                                related_name="enquiries",
                                to="meetings.topic",
                                verbose_name="topics",
                            ),
                        ),
                        (
                            "waiting_topic",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="waiting_enquiries",
                                to="meetings.topic",
                                verbose_name="waiting for a group on",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "enquiry",
                        "verbose_name_plural": "enquiries",
                        "db_table": "meetings_enquiry",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="EnquiryNote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField(verbose_name="text")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="author",
                            ),
                        ),
                        (
                            "centre",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="centres.centre",
                                verbose_name="centre",
                            ),
                        ),
                        (
                            "enquiry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notes",
                                to="intake.enquiry",
                                verbose_name="enquiry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "enquiry note",
                        "verbose_name_plural": "enquiry notes",
                        "db_table": "meetings_enquirynote",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="enquiry",
                    index=models.Index(fields=["centre", "status", "created_at"], name="enquiry_queue_idx"),
                ),
                migrations.AddIndex(
                    model_name="enquiry",
                    index=models.Index(
                        fields=["centre", "status", "waiting_topic", "language"], name="enquiry_waiting_idx"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
