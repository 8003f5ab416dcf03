"""The API's tests (``backoffice/api/``) run on the back-office's app and staff roster, the same
fixtures as tests/backoffice's."""

from tests.backoffice.conftest import (  # noqa: F401 (fixtures)
    api,
    app,
    backoffice_settings,
    base_url,
    documents,
    documents_dir,
    roster,
)
