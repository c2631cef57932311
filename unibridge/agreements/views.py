"""Pages for agreements."""

from django.utils.translation import gettext_lazy as _

from unibridge.core.crud import RecordDetailView, RecordListView

from . import document_views, filters, selectors, tables


class AgreementListView(RecordListView):
    title = _("Agreements")
    filterset_class = filters.AgreementFilterSet
    columns = tables.AGREEMENT_COLUMNS
    default_sort = "-effective"
    create_url = ""

    def get_queryset(self):
        return selectors.agreement_list(self.request.user)


class AgreementDetailView(RecordDetailView):
    template_name = "agreements/agreement_detail.html"
    tabs = [
        ("overview", _("Overview")),
        ("parties", _("Parties")),
        ("conditions", _("Conditions")),
        ("approvals", _("Approvals")),
        ("documents", _("Documents")),
        ("history", _("History")),
    ]

    def get_queryset(self):
        return selectors.agreement_detail(self.request.user)

    def tab_context(self, agreement, tab):
        if tab == "conditions":
            return {
                "conditions": agreement.conditions.select_related(
                    "sending_institution", "receiving_institution", "sending_unit", "receiving_unit"
                ).prefetch_related("subject_areas", "language_requirements")
            }
        if tab == "documents":
            return document_views.documents_tab_context(agreement)
        if tab == "approvals":
            return {"approvals": agreement.approvals.select_related("approver", "decided_by")}
        return {"children": agreement.children.select_related("agreement_type")}
