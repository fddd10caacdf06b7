from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.my_reviews, name="my_reviews"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("library/", views.library, name="library"),
    path("export/key-kpis.<str:fmt>", views.export_key_kpis, name="export_key_kpis"),
    path("export/assessments.<str:fmt>", views.export_assessments, name="export_assessments"),
    path("contracts/<str:reference>/", views.contract_scorecard, name="contract_scorecard"),
    path("contracts/<str:reference>/kpis/", views.contract_kpis, name="contract_kpis"),
    path("contracts/<str:reference>/reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/amend/", views.review_amend, name="review_amend"),
    path("reviews/<int:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("reviews/<int:pk>/delete/", views.review_delete, name="review_delete"),
    path("reviews/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("vendors/<int:pk>/", views.vendor_scorecard, name="vendor_scorecard"),
]
