"""Pages for institutions, units, people and partnerships."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from unibridge.core import cldr
from unibridge.core.crud import (
    RecordDeleteView,
    RecordDetailView,
    RecordEditView,
    RecordListView,
    form_values,
)
from unibridge.core.timeline import timeline_for, timeline_kinds

from . import filters, forms, selectors, services, tables
from .duplicates import institution_duplicates
from .models import Institution, OrganizationalUnit, Partnership, Person

HISTORY = ("history", _("History"))

# --- Institutions --------------------------------------------------------------------------------


class InstitutionListView(RecordListView):
    title = _("Institutions")
    template_name = "institutions/institution_list.html"
    filterset_class = filters.InstitutionFilterSet
    columns = tables.INSTITUTION_COLUMNS
    default_sort = "name"
    create_url = reverse_lazy("institutions:institution_create")

    def get_queryset(self):
        return selectors.institution_list(self.request.user)

    def can_create(self) -> bool:
        return self.request.user.is_office


class InstitutionDetailView(RecordDetailView):
    template_name = "institutions/institution_detail.html"
    tabs = [
        ("overview", _("Overview")),
        ("units", _("Units")),
        ("people", _("People")),
        ("agreements", _("Agreements")),
        ("visits", _("Visits")),
        HISTORY,
    ]

    def get_queryset(self):
        return selectors.institution_detail(self.request.user)

    def tab_context(self, institution, tab):
        user = self.request.user
        context = {"partnership": _visible_partnership(institution, user)}
        if tab == "units":
            context["units"] = institution.units.order_by("path")
            context["can_add_unit"] = user.is_office or (
                institution.is_home and user.is_coordinator
            )
        elif tab == "people":
            context.update(
                _people_page(selectors.person_list(user).filter(institution=institution))
            )
            context["all_people_url"] = (
                f"{reverse('institutions:person_list')}?institution={institution.uuid}"
            )
        elif tab == "agreements":
            context.update(selectors.institution_agreements(user, institution))
        elif tab == "visits":
            from unibridge.visits.selectors import partner_news, partner_visits  # visits → us

            context.update(partner_visits(user, institution))
            context.update(partner_news(user, institution))
        return context


TAB_PEOPLE = 100


def _people_page(people) -> dict:
    """The first people of a tab and how many there are in all (the list page has the rest)."""
    return {"people": people[:TAB_PEOPLE], "people_total": people.count()}


def _people_list_url(**filters) -> str:
    return f"{reverse('institutions:person_list')}?{urlencode(filters)}"


def _visible_partnership(institution: Institution, user) -> Partnership | None:
    try:
        partnership = institution.partnership
    except ObjectDoesNotExist:
        return None
    return (
        partnership
        if Partnership.objects.visible_to(user).filter(pk=partnership.pk).exists()
        else None
    )


class InstitutionEditView(RecordEditView):
    """Create or edit an institution; a new one is checked against likely duplicates first.

    When the check finds some, the page lists them (each opens its record) and asks again,
    with a "create anyway" checkbox; nothing is saved until the user ticks it.
    """

    form_class = forms.InstitutionForm
    template_name = "institutions/institution_form.html"

    def get_queryset(self):
        return Institution.objects.visible_to(self.request.user)

    def can_create(self, **kwargs) -> bool:
        return self.request.user.is_office

    def cancel_url(self) -> str:
        return reverse("institutions:institution_list")

    def before_save(self, form, instance):
        if instance.pk is not None or form.cleaned_data.get("confirm_duplicates"):
            return None
        found = institution_duplicates(user=self.request.user, institution=form.instance)
        if not found:
            return None
        form.ask_to_confirm_duplicates()
        return self.render_form(form, instance, duplicates=found)

    def render_form(self, form, instance, conflict=None, status=200, **extra):
        if instance.pk is None and form.is_bound and form.errors and "duplicates" not in extra:
            # a refused identifier is often another institution's: offer to open it
            extra["duplicates"] = institution_duplicates(
                user=self.request.user, institution=form.instance
            )
        return super().render_form(form, instance, conflict, status, **extra)

    def save_form(self, form, *, expected_updated):
        user, values = self.request.user, form_values(form)
        values.pop("confirm_duplicates", None)
        if form.instance.pk is None:
            return services.institution_create(user=user, values=values)
        return services.institution_update(
            institution=form.instance, user=user, values=values, expected_updated=expected_updated
        )


class InstitutionDeleteView(RecordDeleteView):
    success_url = reverse_lazy("institutions:institution_list")

    def get_queryset(self):
        return Institution.objects.visible_to(self.request.user)


# --- Organisational units -------------------------------------------------------------------------


class UnitListView(RecordListView):
    title = _("Organisational units")
    filterset_class = filters.OrganizationalUnitFilterSet
    columns = tables.UNIT_COLUMNS
    default_sort = "name"
    create_url = ""

    def get_queryset(self):
        return selectors.unit_list(self.request.user)


class UnitDetailView(RecordDetailView):
    template_name = "institutions/unit_detail.html"
    tabs = [
        ("overview", _("Overview")),
        ("units", _("Sub-units")),
        ("people", _("People")),
        HISTORY,
    ]

    def get_queryset(self):
        return selectors.unit_list(self.request.user)

    def tab_context(self, unit, tab):
        context = {"ancestors": unit.ancestors()}
        if tab == "units":
            context["units"] = OrganizationalUnit.objects.filter(
                path__startswith=unit.path
            ).exclude(pk=unit.pk)
        elif tab == "people":
            context.update(_people_page(selectors.person_list(self.request.user).filter(unit=unit)))
            context["all_people_url"] = _people_list_url(unit=unit.uuid)
        return context


class UnitEditView(RecordEditView):
    form_class = forms.OrganizationalUnitForm

    def get_queryset(self):
        return OrganizationalUnit.objects.visible_to(self.request.user)

    def _institution(self, institution_uuid) -> Institution:
        return get_object_or_404(
            Institution.objects.visible_to(self.request.user), uuid=institution_uuid
        )

    def can_create(self, institution_uuid=None, **kwargs) -> bool:
        user = self.request.user
        institution = self._institution(institution_uuid)
        return user.is_office or (user.is_coordinator and institution.is_home)

    def new_instance(self, institution_uuid=None, **kwargs):
        parent = None
        parent_uuid = self.request.GET.get("parent") or self.request.POST.get("parent_uuid")
        institution = self._institution(institution_uuid)
        if parent_uuid:
            parent = OrganizationalUnit.objects.filter(
                uuid=parent_uuid, institution=institution
            ).first()
        return OrganizationalUnit(institution=institution, parent=parent)

    def form_kwargs(self, instance, **kwargs):
        result = super().form_kwargs(instance, **kwargs)
        if not instance.pk and instance.parent_id:
            result["initial"] = {"parent": instance.parent_id}
        return result

    def save_form(self, form, *, expected_updated):
        user, values, unit = self.request.user, form_values(form), form.instance
        if unit.pk is None:
            return services.unit_create(user=user, institution=unit.institution, values=values)
        return services.unit_update(
            unit=unit, user=user, values=values, expected_updated=expected_updated
        )


class UnitDeleteView(RecordDeleteView):
    success_url = reverse_lazy("institutions:unit_list")

    def get_queryset(self):
        return OrganizationalUnit.objects.visible_to(self.request.user)


# --- People --------------------------------------------------------------------------------------


class PersonListView(RecordListView):
    title = _("People")
    filterset_class = filters.PersonFilterSet
    columns = tables.PERSON_COLUMNS
    default_sort = "latin"
    create_url = reverse_lazy("institutions:person_create")

    def get_queryset(self):
        return selectors.person_list(self.request.user)


class PersonDetailView(RecordDetailView):
    template_name = "institutions/person_detail.html"
    tabs = [("overview", _("Overview")), HISTORY]

    def get_queryset(self):
        return selectors.person_list(self.request.user)

    def tab_context(self, person, tab):
        return {"language_labels": cldr.language_names(person.languages)}


class PersonEditView(RecordEditView):
    form_class = forms.PersonForm

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user)

    def form_kwargs(self, instance, **kwargs):
        result = super().form_kwargs(instance, **kwargs)
        institution_uuid = self.request.GET.get("institution")
        if not instance.pk and institution_uuid:
            institution = Institution.objects.filter(uuid=institution_uuid).first()
            if institution:
                result["initial"] = {"institution": institution.pk}
        return result

    def cancel_url(self) -> str:
        return reverse("institutions:person_list")

    def save_form(self, form, *, expected_updated):
        user, values = self.request.user, form_values(form)
        if form.instance.pk is None:
            return services.person_create(user=user, values=values)
        return services.person_update(
            person=form.instance, user=user, values=values, expected_updated=expected_updated
        )


class PersonDeleteView(RecordDeleteView):
    success_url = reverse_lazy("institutions:person_list")

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user)


# --- Partnerships --------------------------------------------------------------------------------


class PartnershipListView(RecordListView):
    title = _("Partnerships")
    filterset_class = filters.PartnershipFilterSet
    columns = tables.PARTNERSHIP_COLUMNS
    default_sort = "partner"
    create_url = reverse_lazy("institutions:partnership_start")

    def get_queryset(self):
        return selectors.partnership_list(self.request.user)


class PartnershipDetailView(RecordDetailView):
    template_name = "institutions/partnership_detail.html"
    tabs = [
        ("overview", _("Overview")),
        ("units", _("Units")),
        ("people", _("People")),
        ("timeline", _("Timeline")),
        HISTORY,
    ]

    def get_queryset(self):
        return selectors.partnership_detail(self.request.user)

    def tab_context(self, partnership, tab):
        user = self.request.user
        if tab == "overview":
            from unibridge.visits.selectors import partner_news  # visits → institutions

            return partner_news(user, partnership.partner)
        if tab == "units":
            return {"partner_units": partnership.partner.units.order_by("path")}
        if tab == "people":
            partner = partnership.partner
            return {
                **_people_page(selectors.person_list(user).filter(institution=partner)),
                "all_people_url": _people_list_url(institution=partner.uuid),
            }
        if tab == "timeline":
            entries = timeline_for(partnership, user)
            kinds = timeline_kinds(entries)
            kind = self.request.GET.get("kind", "")
            if kind in dict(kinds):
                entries = [entry for entry in entries if entry.key == kind]
            else:
                kind = ""
            # a long partnership has thousands of entries: the latest first, a page at a time
            page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(self.request.GET.get("page"))
            return {
                "timeline": page.object_list,
                "timeline_page": page,
                "timeline_kinds": kinds,
                "timeline_kind": kind,
            }
        return {}


TIMELINE_PAGE_SIZE = 100


class PartnershipEditView(RecordEditView):
    form_class = forms.PartnershipForm

    def get_queryset(self):
        return Partnership.objects.visible_to(self.request.user)

    def new_instance(self, institution_uuid=None, **kwargs):
        partner = get_object_or_404(
            Institution.objects.visible_to(self.request.user).filter(is_home=False),
            uuid=institution_uuid,
        )
        existing = Partnership.objects.filter(partner=partner)
        if existing.visible_to(self.request.user).exists():
            raise PermissionDenied(_("This institution already has a partnership."))
        if existing.exists():
            # one the user may not see: the same answer as for any record they may not see
            raise Http404
        return Partnership(partner=partner)

    def save_form(self, form, *, expected_updated):
        user, values, partnership = self.request.user, form_values(form), form.instance
        if partnership.pk is None:
            return services.partnership_create(
                user=user, partner=partnership.partner, values=values
            )
        return services.partnership_update(
            partnership=partnership, user=user, values=values, expected_updated=expected_updated
        )

    def saved_message(self, record, *, created):
        if created:
            return _("Partnership “%(name)s” created.") % {
                "name": selectors.partnership_name(record)
            }
        return super().saved_message(record, created=created)

    def title(self, instance):
        if instance.pk:
            return _("Edit partnership with %(partner)s") % {"partner": instance.partner}
        return _("New partnership with %(partner)s") % {"partner": instance.partner}


class PartnershipDeleteView(RecordDeleteView):
    success_url = reverse_lazy("institutions:partnership_list")

    def get_queryset(self):
        return Partnership.objects.visible_to(self.request.user)


@login_required
def partnership_start(request: HttpRequest) -> HttpResponse:
    """Pick the partner institution for a new partnership (works without JavaScript)."""
    if not request.user.can_write:
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    candidates = Institution.objects.none()
    if query:
        # an institution whose partnership the user may not see is left out, as it is when
        # its partnership is visible: the picker does not say which of the two it is
        candidates = (
            Institution.objects.filter(is_home=False, partnership__isnull=True)
            .filter(
                Q(name__icontains=query)
                | Q(name_en__icontains=query)
                | Q(name_ru__icontains=query)
                | Q(acronym__icontains=query)
                | Q(hei_id__icontains=query)
            )
            .order_by("name")[:50]
        )
    return render(
        request, "institutions/partnership_start.html", {"query": query, "candidates": candidates}
    )


PICKER_LIMIT = 20


@login_required
def person_picker(request: HttpRequest) -> HttpResponse:
    """HTMX: home people (and the given institution's) matching ?q=, as checkboxes to add;
    with ?format=json, as the options of a searchable select."""
    query = request.GET.get("q", "").strip() or request.GET.get(f"{request.GET.get('name')}_q", "")
    name = request.GET.get("name", "responsible_people")
    people = Person.objects.none()
    if len(query.strip()) >= 2:
        scope = Q(institution__is_home=True)
        institution_uuid = request.GET.get("institution", "")
        if institution_uuid:
            scope |= Q(institution__uuid=institution_uuid)
        text = query.strip()
        people = (
            selectors.person_list(request.user)
            .filter(scope)
            .filter(
                Q(name_native__icontains=text)
                | Q(name_latin__icontains=text)
                | Q(email__icontains=text)
            )
            .exclude(pk__in=[pk for pk in request.GET.getlist(name) if pk.isdigit()])
            .order_by("name_latin", "pk")[:PICKER_LIMIT]
        )
    if request.GET.get("format") == "json":  # a searchable select's options (RemoteSelect)
        return JsonResponse(
            {"results": [{"value": str(p.pk), "text": p.name_native} for p in people]}
        )
    return render(
        request,
        "institutions/partials/person_picker.html",
        {"people": people, "name": name, "query": query},
    )
