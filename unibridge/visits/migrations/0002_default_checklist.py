"""The logistics checklist every new visit starts with (administrators edit it later)."""

from django.db import migrations

CHECKLIST = [
    # direction, order, days before the first day, English, Russian, Kazakh, Polish
    ("incoming", 1, 45, "Visa invitation letters", "Визовые приглашения",
     "Визалық шақырулар", "Zaproszenia wizowe"),
    ("incoming", 2, 21, "Accommodation", "Проживание", "Тұру орны", "Zakwaterowanie"),
    ("incoming", 3, 14, "Transport (airport, city)", "Транспорт (аэропорт, город)",
     "Көлік (әуежай, қала)", "Transport (lotnisko, miasto)"),
    ("incoming", 4, 14, "Interpreter", "Переводчик", "Аудармашы", "Tłumacz"),
    ("incoming", 5, 7, "Catering", "Питание", "Тамақтану", "Catering"),
    ("incoming", 6, 7, "Gifts", "Подарки", "Сыйлықтар", "Upominki"),
    ("incoming", 7, 3, "Press and photographer", "Пресса и фотограф", "Баспасөз және фотограф",
     "Prasa i fotograf"),
    ("outgoing", 1, 45, "Visas for the delegation", "Визы для делегации", "Делегацияға визалар",
     "Wizy dla delegacji"),
    ("outgoing", 2, 30, "Travel orders and funding", "Приказ о командировке и финансирование",
     "Іссапар бұйрығы және қаржыландыру", "Polecenie wyjazdu i finansowanie"),
    ("outgoing", 3, 21, "Tickets and accommodation", "Билеты и проживание",
     "Билеттер және тұру орны", "Bilety i zakwaterowanie"),
    ("outgoing", 4, 7, "Gifts", "Подарки", "Сыйлықтар", "Upominki"),
    ("outgoing", 5, -7, "Trip report", "Отчёт о командировке", "Іссапар есебі",
     "Sprawozdanie z wyjazdu"),
]  # fmt: skip


def create_checklist(apps, schema_editor):
    Item = apps.get_model("visits", "ChecklistTemplateItem")
    for direction, order, days, en, ru, kk, pl in CHECKLIST:
        Item.objects.get_or_create(
            direction=direction,
            name=en,
            defaults={
                "order": order,
                "days_before_start": days,
                "name_ru": ru,
                "name_kk": kk,
                "name_pl": pl,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(create_checklist, migrations.RunPython.noop)]
