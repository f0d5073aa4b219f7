from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list_page, name="list"),
    path("new/", views.person_create_page, name="create"),
    path("<int:pk>/", views.person_detail_page, name="detail"),
    path("<int:pk>/id-number/", views.person_reveal_id_page, name="reveal-id"),
    path("<int:pk>/edit/", views.person_edit_page, name="edit"),
]
