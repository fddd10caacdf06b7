"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError

# The years a date of the hub may fall in. Beyond them, the date sums of reminders, calendar
# feeds, review schedules and month arithmetic would leave what Python's dates hold (year 0
# or 10000): "9999-12-31", typed for a contract with no end, gave 500s on five pages.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def sensible_date(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.", code="out_of_range"
        )


class SensibleDatesMixin:
    """Every date field of the form takes only years FIRST_YEAR to LAST_YEAR (the date
    picker offers no others)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and sensible_date not in field.validators:
                field.validators.append(sensible_date)
                field.widget.attrs.setdefault("min", f"{FIRST_YEAR}-01-01")
                field.widget.attrs.setdefault("max", f"{LAST_YEAR}-12-31")


class BootstrapFormMixin(SensibleDatesMixin):
    """Give each widget its Bootstrap class, and mark fields with errors invalid (and bound
    every date, as SensibleDatesMixin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        # Marking invalid widgets after validation, not in __init__, lets subclasses set querysets
        # before anything is cleaned.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class _StoredFile:
    """A stored file as a file input shows it: its name, linked to a download view (no /media/
    address: files are served only through views that check access)."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name.rsplit("/", 1)[-1]


class DownloadLinkMixin:
    """A ClearableFileInput whose "Currently:" link is `download_url`."""

    def __init__(self, *args, download_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.download_url = download_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.is_initial(value) and self.download_url:
            context["widget"]["value"] = _StoredFile(value.name, self.download_url)
        return context


class DownloadFileInput(DownloadLinkMixin, forms.ClearableFileInput):
    pass
