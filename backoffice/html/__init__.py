"""What the back-office's server-rendered pages share, the console's and the client's status
page's: the views (one Jinja2 environment per language, named blocks as htmx fragments) and
the Babel catalogues compiled in memory. Each face keeps its own templates and catalogue."""

from backoffice.html.catalogues import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    compile_catalogue,
    pick_language,
)
from backoffice.html.views import Views, waited

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Views",
    "catalogues",
    "compile_catalogue",
    "labels",
    "pick_language",
    "views",
    "waited",
]
