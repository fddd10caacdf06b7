from django.shortcuts import render

from categories.selectors import hub_structure
from contracts.views import browse_required


@browse_required
def structure(request):
    return render(request, "categories/structure.html", {"pillars": hub_structure()})
