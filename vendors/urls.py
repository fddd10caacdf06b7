from django.urls import path

from vendors import views

app_name = "vendors"
urlpatterns = [
    path("", views.vendor_list, name="list"),
    path("autocomplete/", views.vendor_autocomplete, name="autocomplete"),
    path("<int:pk>/", views.vendor_detail, name="detail"),
]
