from django.urls import path

from spend import views

app_name = "spend"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<str:report>.csv", views.report_export, name="export"),
    path("off-contract/", views.off_contract, name="off_contract"),
    path("contracts/", views.contract_burn, name="contract_burn"),
    path("payments/", views.transaction_list, name="transactions"),
    path("payments/export.csv", views.transaction_export, name="transaction_export"),
    path("payments/<int:pk>/", views.transaction_detail, name="transaction_detail"),
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/again/", views.import_again, name="import_again"),
    path("imports/<int:pk>/withdraw/", views.import_withdraw, name="import_withdraw"),
    path("imports/<int:pk>/rejects.csv", views.import_rejects, name="import_rejects"),
    path("imports/<int:pk>/rows-to-fix.csv", views.import_rows_to_fix, name="import_rows_to_fix"),
    path("payees/", views.payee_queue, name="payees"),
    path("payees/<int:pk>/confirm/", views.payee_confirm, name="payee_confirm"),
    path("payees/<int:pk>/set-aside/", views.payee_set_aside, name="payee_set_aside"),
    path("payees/<int:pk>/unmatch/", views.payee_unmatch, name="payee_unmatch"),
    path("expense-codes/", views.expense_code_list, name="expense_codes"),
    path("expense-codes/<int:pk>/", views.expense_code_update, name="expense_code_update"),
]
