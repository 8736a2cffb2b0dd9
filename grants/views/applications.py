# Placeholder: views are being written (see grants/urls.py for the names).
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


home = application_list = application_create = application_detail = application_edit = _todo
plan_preview = application_transition = _todo
