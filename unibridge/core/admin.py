"""Document templates for administrators (Django's admin): upload, check, switch on and off.

An uploaded template is rendered once against the sample context of its kind before it is
saved, so a broken one (not a DOCX file, a Jinja syntax error, an unknown filter, a variable
documents do not have) is refused with a form error naming the problem.
"""

import uuid
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import documents, uploads
from .models import DocumentTemplate


class DocumentTemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["kind", "name", "file", "is_active"]
        help_texts = {
            "file": _(
                "A DOCX file with docxtpl (Jinja) tags, at most 20 MB; it is checked by "
                "filling it in with sample data. Start from the built-in template."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        kind = cleaned.get("kind")
        # Only a newly uploaded file needs checking (an unchanged one was checked before).
        if not upload or not kind or "file" not in self.changed_data:
            return cleaned
        try:
            _content_type, extension = uploads.check_upload(upload, kinds=[uploads.DOCX])
        except forms.ValidationError as error:
            self.add_error("file", error)
            return cleaned
        try:
            documents.validate_template(upload, kind)
        except documents.DocumentError as error:
            self.add_error("file", str(error))
            return cleaned
        upload.seek(0)
        # The stored name is ours; the administrator's file name lives on in the template name.
        upload.name = f"{uuid.uuid4().hex}.{extension}"
        return cleaned


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    form = DocumentTemplateForm
    list_display = ("name", "kind", "is_active", "uploaded_by", "updated")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    readonly_fields = ("uploaded_by", "created", "updated")

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if "file" in form.changed_data or not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
