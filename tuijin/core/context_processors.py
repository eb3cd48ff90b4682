from django.conf import settings


def tuijin(request):
    return {"TUIJIN_VERSION": __import__("tuijin").__version__, "DEBUG": settings.DEBUG}
