
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0008_outbox_partial_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='newsletterlist',
            name='volunteering_news',
            field=models.BooleanField(default=False, help_text='Subscribers opted in to hear about volunteering: recruitment mailings go to this list.', verbose_name='volunteering news'),
        ),
    ]
