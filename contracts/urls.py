from django.urls import path

from contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_index, name="index"),
    path("export.<str:fmt>", views.contract_export, name="export"),
    path("lookup/", views.contract_lookup, name="lookup"),
    path("new/", views.contract_create, name="create"),
    path("<str:reference>/", views.contract_detail, name="detail"),
    path("<str:reference>/edit/", views.contract_edit, name="edit"),
    path("<str:reference>/guide/", views.contract_guide, name="guide"),
    path("<str:reference>/documents/<int:pk>/", views.contract_document, name="document"),
]
