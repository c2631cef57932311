"""The agreement types every installation starts with (reference data, not demo data)."""

from django.db import migrations

ROUTE = ["Head of unit", "Legal office", "Vice-rector for international affairs"]

TYPES = [
    # code, prefix, English, Russian, Kazakh, Polish, has conditions, Erasmus IIA
    ("mou", "MoU", "Memorandum of cooperation", "Меморандум о сотрудничестве",
     "Ынтымақтастық туралы меморандум", "Memorandum o współpracy", False, False),
    ("framework", "FA", "Framework agreement", "Рамочное соглашение",
     "Негіздемелік келісім", "Umowa ramowa", False, False),
    ("student-exchange", "SE", "Student exchange agreement", "Соглашение об обмене студентами",
     "Студенттер алмасуы туралы келісім", "Umowa o wymianie studentów", True, False),
    ("staff-exchange", "StE", "Staff exchange agreement", "Соглашение об обмене сотрудниками",
     "Қызметкерлер алмасуы туралы келісім", "Umowa o wymianie pracowników", True, False),
    ("erasmus-ka131", "KA131", "Erasmus+ inter-institutional agreement (KA131)",
     "Межинституциональное соглашение Erasmus+ (KA131)",
     "Erasmus+ институтаралық келісімі (KA131)",
     "Umowa międzyinstytucjonalna Erasmus+ (KA131)", True, True),
    ("erasmus-ka171", "KA171", "Erasmus+ inter-institutional agreement (KA171)",
     "Межинституциональное соглашение Erasmus+ (KA171)",
     "Erasmus+ институтаралық келісімі (KA171)",
     "Umowa międzyinstytucjonalna Erasmus+ (KA171)", True, True),
    ("double-degree", "DD", "Double or joint degree agreement",
     "Соглашение о двойном или совместном дипломе",
     "Қос немесе бірлескен диплом туралы келісім",
     "Umowa o podwójnym lub wspólnym dyplomie", True, False),
    ("joint-research", "JR", "Joint research agreement", "Соглашение о совместных исследованиях",
     "Бірлескен зерттеулер туралы келісім", "Umowa o wspólnych badaniach", False, False),
    ("internship", "INT", "Internship or traineeship agreement", "Соглашение о стажировках",
     "Тағылымдама туралы келісім", "Umowa o praktykach", True, False),
    ("other", "AGR", "Other agreement", "Другое соглашение", "Басқа келісім", "Inna umowa",
     False, False),
]  # fmt: skip


def create_types(apps, schema_editor, duty_for=None):
    """The types and their routes; ``duty_for(name)`` gives each step its duty (the demo's
    call, after migration 0007 made a step's assignment required)."""
    AgreementType = apps.get_model("agreements", "AgreementType")
    ApprovalRouteStep = apps.get_model("agreements", "ApprovalRouteStep")
    for code, prefix, en, ru, kk, pl, conditions, iia in TYPES:
        agreement_type, created = AgreementType.objects.get_or_create(
            code=code,
            defaults={
                "reference_prefix": prefix,
                "name": en,
                "name_en": en,
                "name_ru": ru,
                "name_kk": kk,
                "name_pl": pl,
                "has_conditions": conditions,
                "is_erasmus_iia": iia,
            },
        )
        if created:
            for order, name in enumerate(ROUTE, start=1):
                extra = {"duty": duty_for(name)} if duty_for else {}
                ApprovalRouteStep.objects.create(
                    agreement_type=agreement_type, order=order, name=name, **extra
                )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
