from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0002_plain_base_managers'),
        ('notifications', '0005_mail_content'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='subscription',
            name='subscription_list_status_idx',
        ),
        migrations.AddIndex(
            model_name='subscription',
            index=models.Index(fields=['newsletter', 'status', 'id'], name='subscription_list_status_idx'),
        ),
    ]
