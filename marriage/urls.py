from django.urls import path

from . import views

app_name = "marriage"
urlpatterns = [
    path("", views.index, name="index"),
    path("registrations/", views.registration_list_page, name="registrations"),
    path("registrations/new/", views.registration_create_page, name="register"),
    path("registrations/<int:pk>/", views.registration_detail_page, name="registration-detail"),
    path("divorces/", views.divorce_list_page, name="divorces"),
    path("divorces/new/", views.divorce_create_page, name="divorce-apply"),
    path("divorces/<int:pk>/<slug:action>/", views.divorce_action, name="divorce-action"),
    path("counselling/", views.counselling_list_page, name="counselling"),
    path("counselling/new/", views.counselling_create_page, name="counselling-open"),
    path("counselling/<int:pk>/", views.counselling_detail_page, name="counselling-detail"),
]
