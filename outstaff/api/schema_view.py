from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """`/api/schema/`. The document is a function of the code alone (served publicly, the same for
    every caller), and generating it takes seconds: build it once per process and version."""

    _documents: dict = {}

    def _get_schema_response(self, request):
        if not self.serve_public:
            return super()._get_schema_response(request)
        version = self.api_version or request.version or self._get_version_parameter(request)
        if version not in self._documents:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self._documents[version] = generator.get_schema(request=request, public=True)
        return Response(
            data=self._documents[version],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
