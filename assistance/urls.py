from django.urls import path

from . import documents, views

app_name = "assistance"
urlpatterns = [
    path("", views.index_page, name="index"),
    path("applications/", views.application_queue_page, name="application-queue"),
    path("applications/new/", views.application_file_page, name="application-file"),
    path("applications/<int:pk>/", views.application_detail_page, name="application-detail"),
    path("applications/<int:pk>/<slug:action>/", views.application_action_page, name="application-action"),
    path("review/", views.review_queue_page, name="review-queue"),
    path("households/", views.household_list_page, name="household-list"),
    path("households/<int:pk>/", views.household_detail_page, name="household-detail"),
    path("enrollments/", views.enrollment_list_page, name="enrollment-list"),
    path("enrollments/<int:pk>/", views.enrollment_detail_page, name="enrollment-detail"),
    path("enrollments/<int:pk>/payee/", views.enrollment_payee_page, name="enrollment-payee"),
    path("enrollments/<int:pk>/<slug:action>/", views.enrollment_action_page, name="enrollment-action"),
    path("uplifts/", views.uplift_list_page, name="uplift-list"),
    path("uplifts/<int:pk>/", views.uplift_detail_page, name="uplift-detail"),
    path("uplifts/<int:pk>/approve/", views.uplift_approve_page, name="uplift-approve"),
    # Printable documents (SPEC §9): the public-notice list, the decision notice, the home-visit form.
    path("notices/print/", documents.notice_list_page, name="print-notice-list"),
    path("applications/<int:pk>/print/decision/", documents.decision_notice_page, name="print-decision"),
    path("applications/<int:pk>/print/home-visit/", documents.home_visit_form_page, name="print-home-visit"),
    path("payment-batches/", views.payment_batch_list_page, name="payment-batch-list"),
    path("payment-batches/<int:pk>/export/", views.payment_batch_export_page, name="payment-batch-export"),
    # The bank file's first address (CSV only then); ?format=xlsx works on both.
    path(
        "payment-batches/<int:pk>/export.csv",
        views.payment_batch_export_page,
        name="payment-batch-export-csv",
    ),
]
