
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0004_centre_starters_needed'),
    ]

    operations = [
        migrations.AddField(
            model_name='centre',
            name='enquiry_retention_months',
            field=models.PositiveSmallIntegerField(default=6, help_text='Closed and withdrawn enquiries are anonymised after this; only counts remain.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='keep finished enquiries for (months)'),
        ),
        migrations.AddField(
            model_name='centre',
            name='founding_group_size',
            field=models.PositiveSmallIntegerField(default=4, help_text='When this many wait for the same topic and language, coordinators are told to found a group.', validators=[django.core.validators.MinValueValidator(2), django.core.validators.MaxValueValidator(30)], verbose_name='people waiting to found a group'),
        ),
    ]
