"""Meetings, decisions and action items taken over from the visits app, data kept (issue 8)."""

import django.db.models.deletion
import unibridge.core.fields
import unibridge.visits.models
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agreements', '0006_text_limits'),
        ('institutions', '0004_text_limits'),
        ('visits', '0004_move_meetings_out'),
    ]

    # the tables exist (made by visits/0001 and 0003): this migration takes them over in the
    # state only, under their old names; 0002 renames them
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Meeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                        ('kind', models.CharField(choices=[('round_table', 'Round table'), ('meeting', 'Meeting'), ('online', 'Online meeting')], default='round_table', max_length=20, verbose_name='type')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='ends at')),
                        ('time_zone', models.CharField(default=unibridge.visits.models.default_time_zone, max_length=64, validators=[unibridge.visits.models.validate_time_zone], verbose_name='time zone')),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='place or room')),
                        ('online_link', models.URLField(blank=True, verbose_name='online link')),
                        ('agenda', unibridge.core.fields.TextField(blank=True, help_text='One point per line.', max_length=10000, verbose_name='agenda')),
                        ('minutes', unibridge.core.fields.TextField(blank=True, help_text='Formatted text; scripts and styles are removed.', max_length=200000, verbose_name='minutes')),
                        ('is_confidential', models.BooleanField(default=False, verbose_name='confidential')),
                        ('home_units', models.ManyToManyField(blank=True, related_name='+', to='institutions.organizationalunit', verbose_name='home units involved')),
                        ('participants', models.ManyToManyField(blank=True, related_name='meetings', to='institutions.person', verbose_name='participants')),
                        ('partner', models.ForeignKey(blank=True, help_text="For a standalone meeting; a visit's meetings take the visit's partner.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='institutions.institution', verbose_name='partner institution')),
                        ('visit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='visits.visit', verbose_name='visit')),
                    ],
                    options={
                        'verbose_name': 'meeting',
                        'verbose_name_plural': 'meetings',
                        'db_table': 'visits_meeting',
                        'ordering': ['-starts_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Decision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('text', unibridge.core.fields.TextField(max_length=10000, verbose_name='decision')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='meetings.meeting', verbose_name='meeting')),
                    ],
                    options={
                        'verbose_name': 'decision',
                        'verbose_name_plural': 'decisions',
                        'db_table': 'visits_decision',
                        'ordering': ['meeting', 'order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ActionItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                        ('description', unibridge.core.fields.TextField(max_length=10000, verbose_name='what is to be done')),
                        ('due_on', models.DateField(blank=True, null=True, verbose_name='due on')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='open', max_length=20, verbose_name='status')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('agreement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='action_items', to='agreements.agreement', verbose_name='agreement')),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='action_items', to='institutions.person', verbose_name='owner')),
                        ('partnership', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='action_items', to='institutions.partnership', verbose_name='partnership')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_items', to='meetings.meeting', verbose_name='meeting')),
                    ],
                    options={
                        'verbose_name': 'action item',
                        'verbose_name_plural': 'action items',
                        'db_table': 'visits_actionitem',
                        'ordering': ['due_on', 'pk'],
                        'indexes': [models.Index(fields=['status', 'due_on'], name='action_item_status_due')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
