"""Fixtures every test shares: a home university with two faculties and one user per role.

- admin, office: see and change everything
- coordinator: coordinates the Faculty of Engineering (and its departments)
- other_coordinator: coordinates the Faculty of Economics
- viewer: reads, changes nothing
"""

import os
import shutil

import pytest
from django.test import Client
from django.utils import translation

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.institutions.tests.factories import InstitutionFactory, UnitFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Every test stores its uploaded and generated files in its own temporary directory."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in Polish leaves the thread's
    language active after its response, which would leak into the next test's services."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def home(db):
    return InstitutionFactory(
        name="Карагандинский индустриальный университет",
        name_en="Karaganda Industrial University",
        country="KZ",
        city="Temirtau",
        is_home=True,
    )


@pytest.fixture
def engineering(home):
    return UnitFactory(institution=home, name="Faculty of Engineering")


@pytest.fixture
def engineering_department(engineering):
    return UnitFactory(
        institution=engineering.institution,
        parent=engineering,
        name="Department of Metallurgy",
        kind="department",
    )


@pytest.fixture
def economics(home):
    return UnitFactory(institution=home, name="Faculty of Economics")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def office_user(db):
    return UserFactory(username="office", role=Role.OFFICE)


@pytest.fixture
def coordinator_user(engineering):
    return UserFactory(username="coordinator", role=Role.COORDINATOR, units=[engineering])


@pytest.fixture
def other_coordinator_user(economics):
    return UserFactory(username="other", role=Role.COORDINATOR, units=[economics])


@pytest.fixture
def viewer_user(db):
    return UserFactory(username="viewer", role=Role.VIEWER)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office_client(office_user):
    return _client_for(office_user)


@pytest.fixture
def admin_client_(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def coordinator_client(coordinator_user):
    return _client_for(coordinator_user)


@pytest.fixture
def viewer_client(viewer_user):
    return _client_for(viewer_user)


# --- Browser tests (Playwright driving Debian's chromium) ------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """A headless chromium for the session; skipped (or failed in CI) when it is missing."""
    if not os.path.exists(CHROMIUM):
        message = (
            "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        )
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    # Every page records what its Content-Security-Policy blocked; a test fails on any of it.
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    yield page
    violations = csp_violations(page)
    context.close()
    assert not violations, f"Content-Security-Policy violations on {page.url}: {violations}"


CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def csp_violations(page) -> list[str]:
    try:
        return page.evaluate("window.__cspViolations || []")
    except Exception:  # the page is closed or navigating: nothing left to read
        return []
