"""The logistics checklist template for administrators (Django's admin): the tasks every new
visit of a direction starts with, their names in the interface languages, due days, owners."""

from django.contrib import admin

from .models import ChecklistTemplateItem


@admin.register(ChecklistTemplateItem)
class ChecklistTemplateItemAdmin(admin.ModelAdmin):
    list_display = ("name", "direction", "order", "days_before_start", "default_owner", "is_active")
    list_editable = ("order", "days_before_start", "is_active")
    list_filter = ("direction", "is_active")
    list_select_related = ("default_owner",)
    search_fields = ("name", "name_ru", "name_kk", "name_pl")
    ordering = ("direction", "order", "pk")
    fields = (
        "direction",
        "name",
        "name_ru",
        "name_kk",
        "name_pl",
        "order",
        "days_before_start",
        "default_owner",
        "is_active",
    )
