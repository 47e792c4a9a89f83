from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    # Not "site_name": Django's LoginView sets that to the host name, which
    # the sign-in page then showed instead of the product's name.
    return {"product_name": settings.SITE_NAME}
