from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from procurement_hub import views

handler400 = views.bad_request

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("contracts/", include("contracts.urls")),
    path("vendors/", include("vendors.urls")),
    path("structure/", include("categories.urls")),
    path("kpis/", include("kpis.urls")),
    path("notifications/", include("notifications.urls")),
    path("sourcing/", include("sourcing.urls")),
    path("spend/", include("spend.urls")),
]

# Uploaded files are never served from MEDIA_ROOT as they are: each is downloaded through a view
# that checks who may see it (contracts:guide, contracts:document, kpis:evidence).
