import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='starterassignment',
            name='phase_out_plan',
            field=models.CharField(blank=True, help_text='How the starter withdraws, e.g. attending every other meeting for the last weeks.', max_length=300, verbose_name='phase-out plan'),
        ),
        migrations.AddField(
            model_name='starterassignment',
            name='phase_out_until',
            field=models.DateField(blank=True, null=True, verbose_name='phased out by'),
        ),
        migrations.AlterField(
            model_name='starterassignment',
            name='planned_meetings',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(104)], verbose_name='planned meetings'),
        ),
    ]
