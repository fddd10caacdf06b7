"""How the hub is organised: authorities, pillars, categories and the staff who run them."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Authority(models.Model):
    """A contracting body served by the hub (a council, an agency)."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    """A group of categories led by a head of category."""

    name = models.CharField(max_length=200, unique=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pillars_headed",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A spend category within a pillar, with its category team and contract managers."""

    code = models.CharField(max_length=10, unique=True, help_text=_("Short code, e.g. ITS or FAC."))
    name = models.CharField(max_length=200)
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="categories")
    category_managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="categories_managed"
    )
    category_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="categories_officered"
    )
    primary_contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories_primary_cm",
    )
    secondary_contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories_secondary_cm",
    )
    cover_contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories_cover_cm",
        help_text=_("Takes over while the primary contract manager is absent."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["pillar", "name"], name="category_name_unique_in_pillar"
            ),
            models.CheckConstraint(
                condition=Q(primary_contract_manager__isnull=True)
                | Q(secondary_contract_manager__isnull=True)
                | ~Q(primary_contract_manager=F("secondary_contract_manager")),
                name="category_primary_and_secondary_cm_differ",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("categories:structure") + f"#category-{self.code}"


class Role(models.TextChoices):
    SOURCING_MANAGER = "sourcing_manager", _("Sourcing manager")
    CONTRACT_MANAGER = "contract_manager", _("Contract manager")
    CATEGORY_OFFICER = "category_officer", _("Category officer")
    CATEGORY_MANAGER = "category_manager", _("Category manager")
    HEAD_OF_CATEGORY = "head_of_category", _("Head of category")
    BUYER = "buyer", _("Buyer")
    HUB_ADMIN = "hub_admin", _("Hub administrator")


class StaffProfile(models.Model):
    """Work details of a hub user. Only work contact details are ever shown."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.BUYER)
    job_title = models.CharField(max_length=200, blank=True)
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=40, blank=True)
    authority = models.ForeignKey(
        Authority, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    absent_from = models.DateField(null=True, blank=True)
    absent_until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(absent_from__isnull=True)
                | Q(absent_until__isnull=True)
                | Q(absent_until__gte=F("absent_from")),
                name="staffprofile_absence_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user.get_full_name() or self.user.get_username()} ({self.get_role_display()})"
        )

    def is_absent_on(self, day: datetime.date) -> bool:
        if self.absent_from is None or day < self.absent_from:
            return False
        return self.absent_until is None or day <= self.absent_until


def absent_on_q(day: datetime.date, person: str = "") -> Q:
    """Q: the staff member at `person` (a path to a user; "" for the user itself) has an absence
    covering `day`. The same rule as StaffProfile.is_absent_on, for querysets."""
    profile = f"{person}__profile" if person else "profile"
    return Q(**{f"{profile}__absent_from__lte": day}) & (
        Q(**{f"{profile}__absent_until__isnull": True})
        | Q(**{f"{profile}__absent_until__gte": day})
    )


def category_team_q(user) -> Q:
    """Q on Category: the categories whose team this user is in (manager, officer, or head of
    the pillar)."""
    return Q(category_managers=user) | Q(category_officers=user) | Q(pillar__head=user)
