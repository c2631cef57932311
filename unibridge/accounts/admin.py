"""User administration for administrators (Django's admin, at /admin/)."""

from typing import TYPE_CHECKING, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Duty, DutyHolder, User
from .services import tokens_revoke

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


class DutyHolderInline(admin.TabularInline):
    """The duties a user holds (approval routes assign their steps to duties)."""

    model = DutyHolder
    extra = 0


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    """Duties such as the legal office or the head of unit, and who holds them."""

    list_display = ("name", "code", "per_unit")
    search_fields = ("name", "name_en", "name_ru", "name_kk", "name_pl", "code")
    inlines = [DutyHolderInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Adds the role, the coordinated units and the duties to Django's user pages."""

    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    filter_horizontal = ("units", "groups", "user_permissions")
    fieldsets = (
        # Django's UserAdmin defines its fieldsets; the stubs give ModelAdmin's optional type.
        *cast("_FieldsetSpec", DjangoUserAdmin.fieldsets),
        (_("Role in UniBridge"), {"fields": ("role", "units", "preferred_language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in UniBridge"), {"fields": ("email", "role", "units")}),
    )
    actions = ["revoke_api_tokens"]
    inlines = [DutyHolderInline]

    @admin.action(description=_("Revoke the API tokens of the selected users"))
    def revoke_api_tokens(self, request, queryset) -> None:
        count = tokens_revoke(users=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d API token was revoked.", "%(count)d API tokens were revoked.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
