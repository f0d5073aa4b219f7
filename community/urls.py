from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("", views.index_page, name="index"),
    path("workers/", views.worker_list_page, name="workers"),
    path("workers/new/", views.worker_create_page, name="worker-create"),
    path("workers/steps-due/", views.steps_due_page, name="steps-due"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("staffing/<str:code>/urban-population/", views.urban_population_page, name="urban-population"),
    path("funds/", views.fund_list_page, name="funds"),
    path("funds/<int:pk>/", views.fund_detail_page, name="fund-detail"),
    path("funds/<int:pk>/<slug:kind>/", views.fund_movement_page, name="fund-movement"),
    path("assessments/", views.assessment_list_page, name="assessments"),
]
