import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('centres', '0003_centre_starter_planned_meetings'),
        ('meetings', '0005_meeting_room_no_overlap_deferrable'),
    ]

    operations = [
        migrations.CreateModel(
            name='ChecklistItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(max_length=200, verbose_name='text')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('is_active', models.BooleanField(default=True, verbose_name='in use')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
            ],
            options={
                'verbose_name': 'self-run checklist item',
                'verbose_name_plural': 'self-run checklist',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Volunteer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('applicant', 'Applicant'), ('screened', 'Screened'), ('trained', 'Trained'), ('active', 'Active'), ('paused', 'Paused'), ('retired', 'Retired')], default='applicant', max_length=20, verbose_name='status')),
                ('languages', models.JSONField(default=list, help_text='Language codes, e.g. ["de", "en"].', verbose_name='languages')),
                ('weekdays', models.JSONField(default=list, help_text='0 = Monday … 6 = Sunday.', verbose_name='weekdays')),
                ('daytime', models.BooleanField(default=False, verbose_name='available in the daytime')),
                ('evening', models.BooleanField(default=False, verbose_name='available in the evening')),
                ('motivation', models.TextField(blank=True, verbose_name='motivation')),
                ('email_confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mail confirmed at')),
                ('screened_on', models.DateField(blank=True, null=True, verbose_name='screening conversation on')),
                ('confidentiality_signed_on', models.DateField(blank=True, null=True, verbose_name='confidentiality agreement signed on')),
                ('status_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='status changed at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('person', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='volunteer', to='centres.person', verbose_name='person')),
                ('topics', models.ManyToManyField(blank=True, related_name='volunteers', to='meetings.topic', verbose_name='topics they would start')),
            ],
            options={
                'verbose_name': 'volunteer',
                'verbose_name_plural': 'volunteers',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TrainingRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('course', models.CharField(max_length=200, verbose_name='course')),
                ('completed_on', models.DateField(verbose_name='completed on')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('volunteer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trainings', to='volunteers.volunteer', verbose_name='volunteer')),
            ],
            options={
                'verbose_name': 'training record',
                'verbose_name_plural': 'training records',
                'ordering': ['-completed_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='StarterAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_on', models.DateField(verbose_name='starts on')),
                ('planned_meetings', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(52)], verbose_name='planned meetings')),
                ('status', models.CharField(choices=[('active', 'Active'), ('phasing_out', 'Phasing out'), ('ended', 'Ended')], default='active', max_length=20, verbose_name='status')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='starter_assignments', to='meetings.group', verbose_name='group')),
                ('volunteer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='volunteers.volunteer', verbose_name='volunteer')),
            ],
            options={
                'verbose_name': 'starter assignment',
                'verbose_name_plural': 'starter assignments',
                'ordering': ['-starts_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SessionLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hours', models.DecimalField(decimal_places=2, max_digits=4, validators=[django.core.validators.MinValueValidator(0.25), django.core.validators.MaxValueValidator(12)], verbose_name='hours')),
                ('notes', models.TextField(blank=True, verbose_name='private notes')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='centres.centre', verbose_name='centre')),
                ('checklist', models.ManyToManyField(blank=True, related_name='session_logs', to='volunteers.checklistitem', verbose_name='checklist steps reached')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='session_logs', to='meetings.meeting', verbose_name='meeting')),
                ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='session_logs', to='volunteers.starterassignment', verbose_name='assignment')),
            ],
            options={
                'verbose_name': 'session log',
                'verbose_name_plural': 'session logs',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('assignment', 'meeting'), name='session_log_once')],
            },
        ),
        migrations.AddIndex(
            model_name='volunteer',
            index=models.Index(fields=['centre', 'status'], name='volunteer_centre_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='starterassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'ended'), _negated=True), fields=('group', 'volunteer'), name='assignment_once_per_group'),
        ),
    ]
