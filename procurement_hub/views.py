from django.core.exceptions import BadRequest
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def bad_request(request, exception):
    """The 400 page, as a hub page (Django's own renders its template without the request, so
    the header could not show who is signed in). A BadRequest raised by the hub says what was
    wrong; a SuspiciousOperation's message (a bad Host header, say) stays in the log."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def home(request):
    return render(request, "home.html")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
