"""Inbox, preferences, follow button and the calendar feed. Thin: guard, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from contracts.access import contract_for_user
from notifications import selectors, services
from notifications.calendar import calendar_feed
from notifications.forms import PreferenceForm
from notifications.models import Notification, Preference


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    paginator = Paginator(selectors.inbox(request.user, unread_only=unread_only), 25)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only},
    )


@login_required
@require_GET
def open_notification(request, pk: int):
    """Follow a notice's link: mark it read and go to its contract."""
    notification = get_object_or_404(
        Notification.objects.select_related("contract"), pk=pk, recipient=request.user
    )
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(notification.contract.get_absolute_url())


@login_required
@require_POST
def mark_read(request, pk: int):
    get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=pk)
    return redirect(_next_url(request, reverse("notifications:inbox")))


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notice{'s' if count != 1 else ''} as read.")
    return redirect(_next_url(request, reverse("notifications:inbox")))


@login_required
def preferences(request):
    preference = services.preference_for(request.user)
    form = PreferenceForm(request.POST or None, initial={"delivery": preference.delivery})
    if request.method == "POST" and form.is_valid():
        services.preference_set_delivery(user=request.user, delivery=form.cleaned_data["delivery"])
        messages.success(request, "Your email preference is saved.")
        return redirect("notifications:preferences")
    feed_url = request.build_absolute_uri(
        reverse("notifications:calendar", args=[preference.calendar_token])
    )
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "feed_url": feed_url,
            "follows": selectors.followed_contracts(request.user)[:200],
        },
    )


@login_required
@require_POST
def regenerate_calendar_token(request):
    services.calendar_token_regenerate(user=request.user)
    messages.success(request, "Your calendar address has changed; the old one no longer works.")
    return redirect("notifications:preferences")


@login_required
@require_POST
def follow(request, reference: str):
    contract = contract_for_user(request.user, reference)
    following = services.follow_set(
        user=request.user, contract=contract, following=request.POST.get("follow") != "0"
    )
    if request.htmx:
        return render(
            request,
            "notifications/_follow_button.html",
            {"contract": contract, "following": following},
        )
    messages.success(
        request,
        f"You {'now follow' if following else 'no longer follow'} {contract.reference}.",
    )
    return redirect(_next_url(request, contract.get_absolute_url()))


@require_GET
def calendar(request, token: str):
    """The personal feed: the secret token in the address is the only credential."""
    preference = Preference.objects.select_related("user").filter(calendar_token=token).first()
    if preference is None or not preference.user.is_active:
        raise Http404("No such calendar.")
    events = selectors.calendar_events(preference.user, timezone.localdate())
    body = calendar_feed(events, name="Contract reminders")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="contract-reminders.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
