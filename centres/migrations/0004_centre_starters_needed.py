
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0003_centre_starter_planned_meetings'),
    ]

    operations = [
        migrations.AddField(
            model_name='centre',
            name='starters_needed',
            field=models.PositiveSmallIntegerField(default=2, help_text='How many starters a new group should have; fewer raise a recruitment need.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(2)], verbose_name='starters per new group'),
        ),
    ]
