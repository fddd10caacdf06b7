from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("calendar/regenerate/", views.regenerate_calendar_token, name="calendar_regenerate"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar"),
    path("follow/<str:reference>/", views.follow, name="follow"),
]
