from django.urls import path

from . import views

app_name = "funeral"
urlpatterns = [
    path("", views.index_page, name="index"),
    path("deaths/", views.death_list_page, name="death-list"),
    path("deaths/new/", views.death_create_page, name="death-create"),
    path("deaths/<int:pk>/", views.death_detail_page, name="death-detail"),
    path("subsidies/", views.subsidy_list_page, name="subsidy-list"),
    path("subsidies/new/", views.subsidy_create_page, name="subsidy-create"),
    path("subsidies/<int:pk>/", views.subsidy_detail_page, name="subsidy-detail"),
    path("subsidies/<int:pk>/<slug:action>/", views.subsidy_action_page, name="subsidy-action"),
    path("waivers/", views.waiver_list_page, name="waiver-list"),
    path("waivers/new/", views.waiver_create_page, name="waiver-create"),
    path("cemeteries/", views.cemetery_list_page, name="cemetery-list"),
    path("cemeteries/new/", views.cemetery_create_page, name="cemetery-create"),
    path("cemeteries/<int:pk>/", views.cemetery_detail_page, name="cemetery-detail"),
    path("councils/", views.council_list_page, name="council-list"),
    path("councils/new/", views.council_create_page, name="council-create"),
    path("council-events/", views.event_list_page, name="event-list"),
    path("council-events/new/", views.event_create_page, name="event-create"),
    path("overpayments/", views.overpayment_list_page, name="overpayment-list"),
]
