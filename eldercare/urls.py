from django.urls import path

from . import views

app_name = "eldercare"
urlpatterns = [
    path("", views.index_page, name="index"),
    path("facilities/", views.facility_list_page, name="facility-list"),
    path("facilities/new/", views.facility_new_page, name="facility-new"),
    path("facilities/<int:pk>/", views.facility_detail_page, name="facility-detail"),
    path("facilities/<int:pk>/edit/", views.facility_edit_page, name="facility-edit"),
    path("facilities/<int:pk>/statements/", views.statement_record_page, name="statement-record"),
    path("facilities/<int:pk>/inspections/", views.inspection_record_page, name="inspection-record"),
    path("facilities/<int:pk>/meal-reports/", views.meal_report_record_page, name="meal-report-record"),
    path("statements/<int:pk>/correct/", views.statement_correct_page, name="statement-correct"),
    path("hazards/<int:pk>/rectify/", views.hazard_rectify_page, name="hazard-rectify"),
    path("alerts/", views.alert_list_page, name="alert-list"),
    path("alerts/<int:pk>/close/", views.alert_close_page, name="alert-close"),
    path("home-care/", views.home_care_list_page, name="home-care-list"),
    path("home-care/new/", views.home_care_new_page, name="home-care-new"),
    path("home-care/<int:pk>/edit/", views.home_care_edit_page, name="home-care-edit"),
    path("meal-delivery/", views.meal_enrolment_list_page, name="meal-enrolment-list"),
    path("meal-delivery/new/", views.meal_enrolment_new_page, name="meal-enrolment-new"),
    path("meal-delivery/<int:pk>/", views.meal_enrolment_detail_page, name="meal-enrolment-detail"),
    path("meal-delivery/<int:pk>/deliveries/", views.meal_delivery_record_page, name="meal-delivery-record"),
    path("meal-delivery/<int:pk>/end/", views.meal_enrolment_end_page, name="meal-enrolment-end"),
    path(
        "meal-delivery/deliveries/<int:pk>/correct/",
        views.meal_delivery_correct_page,
        name="meal-delivery-correct",
    ),
]
