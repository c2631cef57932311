"""Agreement types for administrators (Django's admin): names, prefixes, routes, reminders and
the document template (empty: the built-in bilingual one; templates: core's admin)."""

from django.contrib import admin

from .models import AgreementType, ApprovalRouteStep


class ApprovalRouteStepInline(admin.TabularInline):
    model = ApprovalRouteStep
    extra = 1


@admin.register(AgreementType)
class AgreementTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "reference_prefix",
        "has_conditions",
        "is_erasmus_iia",
        "document_template",
        "is_active",
    )
    list_select_related = ("document_template",)
    list_filter = ("has_conditions", "is_erasmus_iia", "is_active")
    search_fields = ("name", "name_en", "name_ru", "code")
    inlines = [ApprovalRouteStepInline]
