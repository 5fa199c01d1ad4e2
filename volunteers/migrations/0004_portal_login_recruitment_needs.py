
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0003_centre_starter_planned_meetings'),
        ('meetings', '0005_meeting_room_no_overlap_deferrable'),
        ('volunteers', '0003_starter_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='volunteer',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='volunteers', to=settings.AUTH_USER_MODEL, verbose_name='portal login'),
        ),
        migrations.AlterField(
            model_name='starterrequest',
            name='status',
            field=models.CharField(choices=[('pending', 'Waiting for an answer'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('filled', 'Filled by someone else'), ('expired', 'Not answered in time')], default='pending', max_length=20, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='RecruitmentNeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('group', 'A group needs a starter'), ('topic', 'No active volunteer for a topic'), ('language', 'No active volunteer for a language')], max_length=10, verbose_name='kind')),
                ('key', models.CharField(max_length=40, verbose_name='key')),
                ('language', models.CharField(blank=True, max_length=8, verbose_name='language')),
                ('raised_at', models.DateTimeField(verbose_name='raised at')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                ('requests_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='last requests sent at')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='meetings.group', verbose_name='group')),
                ('topic', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='meetings.topic', verbose_name='topic')),
            ],
            options={
                'verbose_name': 'recruitment need',
                'verbose_name_plural': 'recruitment needs',
                'ordering': ['-raised_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved_at__isnull', True)), fields=('centre', 'key'), name='recruitment_need_open_once')],
            },
        ),
    ]
