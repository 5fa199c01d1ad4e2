import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0002_plain_base_managers'),
    ]

    operations = [
        migrations.AddField(
            model_name='centre',
            name='starter_planned_meetings',
            field=models.PositiveSmallIntegerField(default=8, help_text="How many of a new group's first meetings its starters attend, unless set otherwise.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(52)], verbose_name='meetings planned per starter'),
        ),
    ]
