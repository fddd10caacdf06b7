from django.urls import path

from sourcing import views

app_name = "sourcing"

urlpatterns = [
    path("", views.board, name="board"),
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/move/", views.project_move, name="move"),
    path("projects/<int:pk>/award/", views.project_award, name="award"),
    path("projects/<int:pk>/handover/", views.handover, name="handover"),
    path("projects/<int:pk>/handover/accept/", views.handover_accept, name="handover_accept"),
    path(
        "projects/<int:pk>/handover/items/<int:item_pk>/",
        views.handover_item_edit,
        name="handover_item",
    ),
    path(
        "projects/<int:pk>/handover/items/<int:item_pk>/accept/",
        views.handover_item_accept,
        name="handover_item_accept",
    ),
    path("projects/<int:pk>/<str:action>/", views.project_status, name="status"),
    path("renewals/", views.renewals, name="renewals"),
    path("contracts/<str:reference>/decide/", views.decide, name="decide"),
    path("metrics/", views.metrics, name="metrics"),
    path("workload/", views.workload, name="workload"),
    path("reports/forward-plan/", views.forward_plan, name="forward_plan"),
    path("reports/pipeline-notice.csv", views.pipeline_notice, name="pipeline_notice"),
    path("reports/savings/", views.savings, name="savings"),
]
