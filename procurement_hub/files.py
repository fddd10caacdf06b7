"""Uploaded files out: every download goes through a view that checked access first."""

import os

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control


def file_response(stored) -> FileResponse:
    """Stream a stored file (a FieldFile) as a download under its own name, its type guessed
    from that name. 404 when there is no file, or it is gone from storage.

    Uploaded files are served only through views that checked access first: nothing serves
    MEDIA_URL. Always an attachment, so an uploaded HTML or SVG file never renders inline.
    """
    if not stored:
        raise Http404("No file.")
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(stored.name))
    patch_cache_control(response, private=True)
    return response
