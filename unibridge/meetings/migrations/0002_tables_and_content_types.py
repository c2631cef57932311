"""The meetings tables take the app's names, and their content types move from visits to
meetings, so the audit log, the search index and the permissions keep pointing at them."""

from django.db import migrations

MODELS = ("meeting", "decision", "actionitem")


def relabel(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        moved = ContentType.objects.using(db).filter(app_label=old, model=model)
        if not moved.exists():  # a fresh database: the types are made after migrating
            continue
        # a type made under the new label in between points at nothing yet: the old one,
        # with its log entries, index rows and permissions, takes its place
        ContentType.objects.using(db).filter(app_label=new, model=model).delete()
        moved.update(app_label=new)


def forwards(apps, schema_editor) -> None:
    relabel(apps, schema_editor, "visits", "meetings")


def backwards(apps, schema_editor) -> None:
    relabel(apps, schema_editor, "meetings", "visits")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("meetings", "0001_initial"),
    ]

    operations = [
        # the auto-created many-to-many tables (participants, home units) follow their model
        migrations.AlterModelTable(name="meeting", table=None),
        migrations.AlterModelTable(name="decision", table=None),
        migrations.AlterModelTable(name="actionitem", table=None),
        migrations.RunPython(forwards, backwards),
    ]
