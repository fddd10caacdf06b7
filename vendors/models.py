"""Vendors (suppliers), their other names and their named contacts."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class VendorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    SUSPENDED = "suspended", _("Suspended")
    EXCLUDED = "excluded", _("Excluded (debarred)")


class Vendor(models.Model):
    legal_name = models.CharField(max_length=255)
    company_number = models.CharField(
        max_length=40, blank=True, help_text=_("Companies House or other registry number.")
    )
    vendor_code = models.CharField(
        max_length=40, blank=True, help_text=_("The finance system's supplier code.")
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    is_sme = models.BooleanField("SME", default=False)
    is_vcse = models.BooleanField("VCSE", default=False)
    diversity_certifications = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("Supplier-diversity certifications, comma separated."),
    )
    status = models.CharField(
        max_length=20, choices=VendorStatus.choices, default=VendorStatus.ACTIVE
    )
    # Legal name and aliases in one string, kept by vendors.services. Searched with icontains;
    # on PostgreSQL a trigram index (migration 0002) serves it.
    search_names = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["legal_name"]
        indexes = [
            # Vendor directory sort and the autocomplete's prefix matches.
            models.Index(fields=["legal_name"], name="vendor_legal_name_idx"),
            models.Index(fields=["status", "legal_name"], name="vendor_status_name_idx"),
            # The directory's sort by supplier code, and the admin's SME and VCSE filters (in
            # its default order, by name).
            models.Index(fields=["vendor_code"], name="vendor_code_idx"),
            models.Index(fields=["is_sme", "legal_name"], name="vendor_sme_name_idx"),
            models.Index(fields=["is_vcse", "legal_name"], name="vendor_vcse_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_code"],
                condition=~models.Q(vendor_code=""),
                name="vendor_code_unique_when_set",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def get_absolute_url(self) -> str:
        return reverse("vendors:detail", args=[self.pk])


class VendorAlias(models.Model):
    """A trading name or former name the vendor is also known by."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=255)
    # Learnt from a spend file's payee name when a person confirmed the match: payee names are
    # for signed-in staff only, so such an alias is never shown to anonymous visitors.
    from_payee = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "vendor aliases"
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="vendor_alias_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class VendorContact(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(
        max_length=120, help_text=_("e.g. Account manager, Escalation contact.")
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
