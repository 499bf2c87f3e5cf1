"""The web office (users of every role, SQLite) from tests/webui, for the editor's page tests."""
from tests.webui.conftest import (compiled_translations, office, office_template,  # noqa: F401
                                  web_settings)
from tests.webui.conftest import app, as_user, web_test_handlers  # noqa: E402,F401
