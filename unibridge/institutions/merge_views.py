"""Pages of an institution merge, for administrators: choose the one to keep, confirm, merge.

From an institution's page ("Merge into…"): the institution shown is the one merged away.
The choice lists its likely duplicates first and, for a search, the institutions it finds
(a short searchable select rather than all ~10,000); the confirmation lists how many
records of each kind move. Others get 403; an institution nobody may see, 404.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from unibridge.core import search
from unibridge.core.widgets import FastSelect

from .duplicates import institution_duplicates
from .merging import institution_merge, merge_preview
from .models import Institution

SEARCH_LIMIT = 30


def _merged_institution(request: HttpRequest, uuid) -> Institution:
    """The institution to merge away; administrators only (403), visible ones only (404)."""
    institution = get_object_or_404(Institution.objects.visible_to(request.user), uuid=uuid)
    if not getattr(request.user, "is_admin", False):
        raise PermissionDenied(_("Only an administrator may merge institutions."))
    return institution


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.country.name})"


class KeptChoiceForm(forms.Form):
    kept = InstitutionChoiceField(
        label=gettext_lazy("Institution to keep"),
        queryset=Institution.objects.none(),
        to_field_name="uuid",
        empty_label=None,  # the likeliest duplicate comes first, chosen
        widget=FastSelect(attrs={"data-searchable": ""}),
        help_text=gettext_lazy(
            "Everything recorded for this institution moves to the one you keep; "
            "its names become the kept one's other names."
        ),
    )

    def __init__(self, *args, user, merged: Institution, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["kept"])
        queryset = Institution.objects.visible_to(user).exclude(pk=merged.pk)
        if choices is not None:
            # the page offers these, best first; a posted choice may be any other institution
            order = Case(*(When(pk=pk, then=index) for index, pk in enumerate(choices)))
            queryset = (
                queryset.filter(pk__in=choices).order_by(order) if choices else queryset.none()
            )
        field.queryset = queryset


def _choices(request: HttpRequest, merged: Institution, query: str) -> list[int]:
    ids = [d.institution.pk for d in institution_duplicates(user=request.user, institution=merged)]
    if query:
        for hit in search.search(query, request.user, limit=SEARCH_LIMIT, kinds=["institution"]):
            if hit.object.pk not in ids:
                ids.append(hit.object.pk)
    return ids


@login_required
@require_safe
def merge_choose(request: HttpRequest, uuid) -> HttpResponse:
    """Choose the institution to keep: the likely duplicates, and what a search finds."""
    merged = _merged_institution(request, uuid)
    query = request.GET.get("q", "").strip()
    choices = _choices(request, merged, query)
    form = KeptChoiceForm(user=request.user, merged=merged, choices=choices)
    return render(
        request,
        "institutions/merge_choose.html",
        {"object": merged, "form": form, "query": query, "has_choices": bool(choices)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge_confirm(request: HttpRequest, uuid) -> HttpResponse:
    """GET: what merging would move. POST: merge, then open the kept institution."""
    merged = _merged_institution(request, uuid)
    data = request.POST if request.method == "POST" else request.GET
    form = KeptChoiceForm(data, user=request.user, merged=merged)
    if not form.is_valid():
        messages.error(request, _("Choose the institution to keep."))
        return redirect("institutions:institution_merge", uuid=merged.uuid)
    kept = form.cleaned_data["kept"]
    if request.method == "POST":
        name = str(merged)
        try:
            institution_merge(kept=kept, merged=merged, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("institutions:institution_merge", uuid=merged.uuid)
        messages.success(
            request,
            _("Merged %(merged)s into %(kept)s; its names are now among the other names.")
            % {"merged": name, "kept": kept},
        )
        return redirect(kept)
    return render(
        request,
        "institutions/merge_confirm.html",
        {"object": merged, "kept": kept, "moves": merge_preview(kept=kept, merged=merged)},
    )
