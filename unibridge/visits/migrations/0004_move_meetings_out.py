"""Meetings move to their own app (issue 8): removed from the visits' state, no table changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0003_text_limits'),
    ]

    # Meeting, Decision and ActionItem now belong to the meetings app: they leave the visits'
    # state only; their tables stay, taken over by meetings/0001 (and renamed by its 0002).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='decision',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='home_units',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='participants',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='visit',
                ),
                migrations.DeleteModel(
                    name='ActionItem',
                ),
                migrations.DeleteModel(
                    name='Decision',
                ),
                migrations.DeleteModel(
                    name='Meeting',
                ),
            ],
            database_operations=[],
        ),
    ]
