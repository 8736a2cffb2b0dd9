import pytest
from django.utils import translation


@pytest.fixture
def english(client, settings):
    """Exact-message assertions in the msgid language, independent of the German catalogue.

    Pages follow the language cookie (what the switcher sets), services the active language.
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
