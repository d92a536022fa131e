from django.conf import settings


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header: the site needs no powerful browser features."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED_FEATURES
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
