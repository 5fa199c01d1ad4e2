from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0002_plain_base_managers'),
        ('notifications', '0007_issue_chunks'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='outgoingmail',
            name='mail_status_created_idx',
        ),
        migrations.AlterField(
            model_name='outgoingmail',
            name='esp_message_id',
            field=models.CharField(blank=True, max_length=200, verbose_name='ESP message id'),
        ),
        migrations.AddIndex(
            model_name='outgoingmail',
            index=models.Index(condition=models.Q(('status__in', ['queued', 'sending'])), fields=['status', 'created_at'], name='mail_unsent_idx'),
        ),
        migrations.AddIndex(
            model_name='outgoingmail',
            index=models.Index(condition=models.Q(('esp_message_id', ''), _negated=True), fields=['esp_message_id'], name='mail_esp_message_idx'),
        ),
    ]
