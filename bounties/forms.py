"""HTML forms of the bounty pages; they only parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from bounties.fields import AMOUNT_PLACES
from bounties.models import BountyType, Denomination, FundingSource, Pot, Priority
from connectors_registry.models import Chain, Connector, Exchange, Maintainer
from governance.models import Proposal, ProposalAction, ProposalOutcome

AMOUNT: dict[str, Any] = {"max_digits": 19 + AMOUNT_PLACES, "decimal_places": AMOUNT_PLACES}


class BountyCreateForm(forms.Form):
    title = forms.CharField(max_length=200)
    bounty_type = forms.ChoiceField(label="Type", choices=BountyType.choices)
    priority = forms.ChoiceField(choices=[("", "—"), *Priority.choices], required=False)
    connector = forms.ModelChoiceField(
        Connector.objects.select_related("exchange").order_by("exchange__name", "connector_id"),
        required=False,
        help_text="Or choose only an exchange, or a chain.",
    )
    exchange = forms.ModelChoiceField(Exchange.objects.order_by("name"), required=False)
    chain = forms.ModelChoiceField(Chain.objects.order_by("name"), required=False)
    amount = forms.DecimalField(required=False, min_value=0, **AMOUNT)
    denomination = forms.ChoiceField(choices=Denomination.choices)
    funding_source = forms.ChoiceField(choices=FundingSource.choices)
    sponsor_name = forms.CharField(max_length=120, required=False)
    proposal = forms.ModelChoiceField(
        Proposal.objects.filter(action=ProposalAction.FUND_BOUNTY, outcome=ProposalOutcome.PASSED),
        required=False,
    )
    issue_url = forms.URLField(label="Issue link", max_length=300, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    acceptance_criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    deadline = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="YYYY-MM-DD"
    )


class FundForm(forms.Form):
    pot = forms.ModelChoiceField(Pot.objects.none(), required=False, empty_label="Default pot")

    def __init__(self, *args: object, pots: list[Pot], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["pot"].queryset = Pot.objects.filter(pk__in=[p.pk for p in pots])  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class OptionalNoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )


class AssignForm(forms.Form):
    maintainer = forms.ModelChoiceField(Maintainer.objects.order_by("display_name"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SubmitForm(forms.Form):
    pr_url = forms.CharField(label="Pull request link", max_length=300)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    wont_fix = forms.BooleanField(label="Won't fix", required=False)


class PayForm(forms.Form):
    tx_hash = forms.CharField(label="Transaction hash", max_length=66)
    amount_paid = forms.DecimalField(
        required=False, min_value=0, help_text="Leave blank for the developer portion.", **AMOUNT
    )
    recipient_address = forms.CharField(
        max_length=42, required=False, help_text="Leave blank for the maintainer's wallet."
    )


class SponsorFundingForm(forms.Form):
    sponsor_name = forms.CharField(max_length=120)
    denomination = forms.ChoiceField(choices=Denomination.choices)
    amount = forms.DecimalField(min_value=0, **AMOUNT)
    note = forms.CharField(max_length=300, required=False)


class MaintainerProfileForm(forms.Form):
    display_name = forms.CharField(max_length=100)
    github_handle = forms.CharField(label="GitHub handle", max_length=40, required=False)


class TrackerImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV in the bounty tracker's columns.")
