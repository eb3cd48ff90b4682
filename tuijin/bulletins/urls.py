from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_new, name="new"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/delete/", views.bulletin_delete, name="delete"),
    path("<int:pk>/correct/", views.bulletin_correct, name="correct"),
    path("<int:pk>/bulletin.docx", views.bulletin_docx, name="docx"),
    path("<int:pk>/bulletin.pdf", views.bulletin_pdf, name="pdf"),
    path("<int:pk>/annex.xlsx", views.bulletin_annex, name="annex"),
    path("templates/", views.template_list, name="templates"),
    path("templates/example.docx", views.template_example, name="template_example"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
