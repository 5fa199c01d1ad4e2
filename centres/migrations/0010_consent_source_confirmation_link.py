from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0009_staff_invitations_user_sessions_list_audit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="source",
            field=models.CharField(
                choices=[
                    ("web_form", "Web form"),
                    ("email", "E-mail"),
                    ("phone", "Phone"),
                    ("in_person", "In person"),
                    ("paper", "Signed on paper"),
                    ("confirmation_link", "Confirmed by the link in an e-mail"),
                ],
                max_length=20,
                verbose_name="source",
            ),
        ),
    ]
