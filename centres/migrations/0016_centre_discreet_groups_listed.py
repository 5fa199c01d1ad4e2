from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0015_evaluation_enabled"),
    ]

    # Centres that exist keep showing their discreet groups as before (with times); a new centre
    # starts with the careful default, without times.
    operations = [
        migrations.AddField(
            model_name="centre",
            name="discreet_groups_listed",
            field=models.CharField(
                choices=[
                    ("times", "Like any group, with times and place"),
                    ("ask", "Without times or place: visitors ask the centre"),
                    ("hidden", "Not at all"),
                ],
                default="times",
                help_text="How the public finder and the open data show a publicly listed discreet group.",
                max_length=10,
                verbose_name="discreet groups in the public finder",
            ),
        ),
        migrations.AlterField(
            model_name="centre",
            name="discreet_groups_listed",
            field=models.CharField(
                choices=[
                    ("times", "Like any group, with times and place"),
                    ("ask", "Without times or place: visitors ask the centre"),
                    ("hidden", "Not at all"),
                ],
                default="ask",
                help_text="How the public finder and the open data show a publicly listed discreet group.",
                max_length=10,
                verbose_name="discreet groups in the public finder",
            ),
        ),
    ]
