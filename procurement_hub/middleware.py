"""Request checks that hold for every view of the hub."""

from django.core.exceptions import BadRequest

NUL = "\x00"


def refuse_nul_bytes(get_response):
    """A NUL byte in the path or the query string is never meant, and PostgreSQL refuses it in
    any text it is asked to compare ("cannot contain NUL"). Refuse it here with a 400 page, so
    that no view reading a raw value (a search box, a path's reference) turns it into a 500."""

    def middleware(request):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("The address holds a NUL character (%00), which no page accepts.")
        return get_response(request)

    return middleware
