from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("", views.manage_account, name="manage_account"),
    path("providers/add/", views.provider_add, name="provider_add"),
    path("providers/<int:pk>/remove/", views.provider_remove, name="provider_remove"),
    path("user-access/", views.user_access, name="user_access"),
    path("user-access/<int:pk>/revoke/", views.worklist_access_revoke, name="worklist_access_revoke"),
    path("access/", views.view_access, name="view_access"),
    path("access/<int:practice_id>/", views.practice_access, name="practice_access"),
    path("access/<int:practice_id>/manage/", views.practice_manage, name="practice_manage"),
    path("access/<int:practice_id>/members/<int:membership_id>/", views.member_access, name="member_access"),
]
