from django.conf import settings


def hub(request):
    return {
        "HUB_NAME": settings.HUB_NAME,
        "HUB_CURRENCY": settings.HUB_CURRENCY,
    }
