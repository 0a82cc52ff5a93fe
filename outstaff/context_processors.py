from django.utils import timezone


def today(request):
    return {"today": timezone.localdate()}
