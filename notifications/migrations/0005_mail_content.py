import django.db.models.deletion
from django.db import migrations, models


def move_content_out(apps, schema_editor):
    """Each existing row's rendered mail becomes its own content row."""
    OutgoingMail = apps.get_model("notifications", "OutgoingMail")
    MailContent = apps.get_model("notifications", "MailContent")
    for mail in OutgoingMail.objects.filter(content__isnull=True).iterator(chunk_size=1000):
        mail.content = MailContent.objects.create(
            centre_id=mail.centre_id,
            language=mail.language,
            from_email=mail.from_email,
            subject=mail.subject,
            body_text=mail.body_text,
            body_html=mail.body_html,
            headers=mail.headers,
            calendar=mail.calendar,
        )
        mail.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0002_plain_base_managers"),
        ("notifications", "0004_newsletter_issues"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingmail",
            name="in_doubt",
            field=models.BooleanField(
                default=False,
                help_text="An attempt may have reached the ESP (its worker stopped, or no answer in time).",
                verbose_name="in doubt",
            ),
        ),
        migrations.AddField(
            model_name="outgoingmail",
            name="merge_data",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="This recipient's own values, such as their links.",
                verbose_name="merge data",
            ),
        ),
        migrations.CreateModel(
            name="MailContent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("de", "German"), ("da", "Danish"), ("nl", "Dutch")],
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("from_email", models.CharField(max_length=300, verbose_name="from")),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("body_text", models.TextField(verbose_name="text")),
                ("body_html", models.TextField(blank=True, verbose_name="HTML")),
                ("headers", models.JSONField(blank=True, default=dict, verbose_name="headers")),
                (
                    "calendar",
                    models.TextField(blank=True, help_text="An .ics file, if any.", verbose_name="calendar attachment"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="centres.centre",
                        verbose_name="centre",
                    ),
                ),
            ],
            options={
                "verbose_name": "mail content",
                "verbose_name_plural": "mail contents",
            },
        ),
        migrations.AddField(
            model_name="outgoingmail",
            name="content",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="mails",
                to="notifications.mailcontent",
                verbose_name="content",
            ),
        ),
        migrations.RunPython(move_content_out, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name="outgoingmail",
            name="body_html",
        ),
        migrations.RemoveField(
            model_name="outgoingmail",
            name="body_text",
        ),
        migrations.RemoveField(
            model_name="outgoingmail",
            name="calendar",
        ),
        migrations.RemoveField(
            model_name="outgoingmail",
            name="from_email",
        ),
        migrations.RemoveField(
            model_name="outgoingmail",
            name="headers",
        ),
        migrations.RemoveField(
            model_name="outgoingmail",
            name="subject",
        ),
        migrations.AlterField(
            model_name="outgoingmail",
            name="content",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="mails",
                to="notifications.mailcontent",
                verbose_name="content",
            ),
        ),
    ]
