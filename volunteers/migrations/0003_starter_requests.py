import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0003_centre_starter_planned_meetings'),
        ('meetings', '0005_meeting_room_no_overlap_deferrable'),
        ('volunteers', '0002_phase_out'),
    ]

    operations = [
        migrations.CreateModel(
            name='StarterRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting for an answer'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('filled', 'Filled by someone else')], default='pending', max_length=20, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='starter_requests', to='meetings.group', verbose_name='group')),
                ('volunteer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='starter_requests', to='volunteers.volunteer', verbose_name='volunteer')),
            ],
            options={
                'verbose_name': 'starter request',
                'verbose_name_plural': 'starter requests',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('group', 'volunteer'), name='starter_request_one_open')],
            },
        ),
    ]
