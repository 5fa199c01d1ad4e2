import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0002_plain_base_managers'),
        ('notifications', '0006_subscription_keyset_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='newsletterissue',
            name='contents',
            field=models.JSONField(blank=True, default=dict, help_text='The rendered mail per language, once sending starts.', verbose_name='contents'),
        ),
        migrations.CreateModel(
            name='IssueChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('after_id', models.BigIntegerField(verbose_name='after subscription')),
                ('upto_id', models.BigIntegerField(verbose_name='up to subscription')),
                ('queued_at', models.DateTimeField(blank=True, null=True, verbose_name='task queued at')),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='rows made at')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('issue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='notifications.newsletterissue', verbose_name='issue')),
            ],
            options={
                'verbose_name': 'issue chunk',
                'verbose_name_plural': 'issue chunks',
                'ordering': ['issue', 'after_id'],
            },
        ),
    ]
