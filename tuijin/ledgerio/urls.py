from tuijin.ledgerio import export_views, views

app_name = "ledgerio"

urlpatterns = [
    *export_views.urlpatterns,
    *views.urlpatterns,
]
