"""Swagger UI in a real browser: it loads with no internet, signs in and calls the API.

Every request to a host other than the test server is aborted and recorded: the UI must never
try one, so it works on a campus network without internet access.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.race.conftest import ADMIN_EMAIL, PASSWORD, Server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response, Route

TIMEOUT_MS = 10_000


@dataclass
class Traffic:
    """What the page asked for: requests to foreign hosts, API answers, console errors."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    answers: list[tuple[str, str, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" != self.origin:
            self.foreign.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def response(self, response: Response) -> None:
        self.answers.append((response.request.method, urlsplit(response.url).path, response.status))

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP violation is reported here
            self.errors.append(message.text)

    def page_error(self, error: Exception) -> None:
        self.errors.append(str(error))


@pytest.fixture
def traffic(docs_server: Server) -> Traffic:
    return Traffic(docs_server.url)


@pytest.fixture
def page(browser: Browser, traffic: Traffic) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", traffic.route)
    opened = context.new_page()
    opened.on("response", traffic.response)
    opened.on("console", traffic.console)
    opened.on("pageerror", traffic.page_error)
    try:
        yield opened
    finally:
        context.close()


def open_docs(page: Page, server: Server) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/docs")
    expect(page.locator(".opblock-summary-path[data-path='/auth/me']")).to_be_visible()
    expect(page.locator(".opblock-summary-path[data-path='/bookings']").first).to_be_visible()


def sign_in(page: Page, email: str, password: str) -> None:
    """Authorize -> the OAuth2 password flow dialog -> Authorize."""
    page.locator("button.authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("#oauth_username").fill(email)
    dialog.locator("#oauth_password").fill(password)
    dialog.locator("button.modal-btn.authorize").click()


def try_me(page: Page) -> tuple[str, str]:
    """GET /auth/me -> Try it out -> Execute; the status and body the response panel shows."""
    from playwright.sync_api import expect

    operation = page.locator("#operations-auth-me")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    panel = operation.locator(".live-responses-table")
    body = panel.locator(".response-col_description .highlight-code code")
    expect(body).to_contain_text('"')  # rendered: the JSON body is filled in after the status
    return panel.locator("tbody td.response-col_status").inner_text().strip(), body.inner_text()


def test_swagger_ui_signs_in_and_calls_the_api_without_internet(
    page: Page, docs_server: Server, traffic: Traffic
) -> None:
    from playwright.sync_api import expect

    open_docs(page, docs_server)
    sign_in(page, ADMIN_EMAIL, PASSWORD)
    dialog = page.locator(".modal-ux")
    expect(dialog.get_by_text("Authorized", exact=True)).to_be_visible()
    expect(dialog.locator("button", has_text="Logout")).to_be_visible()
    dialog.locator("button.btn-done").click()
    expect(dialog).to_have_count(0)

    status, body = try_me(page)

    assert status == "200"
    user = json.loads(body)
    assert user["email"] == ADMIN_EMAIL
    assert user["role"] == "ADMIN"
    assert ("POST", "/auth/login", 200) in traffic.answers
    assert ("GET", "/auth/me", 200) in traffic.answers
    assert traffic.foreign == []
    assert traffic.errors == []


def test_a_wrong_password_is_refused_and_the_api_answers_401(
    page: Page, docs_server: Server, traffic: Traffic
) -> None:
    from playwright.sync_api import expect

    open_docs(page, docs_server)
    sign_in(page, ADMIN_EMAIL, "not the password")
    dialog = page.locator(".modal-ux")
    expect(dialog.locator(".errors")).to_contain_text("Error: Unauthorized")
    dialog.locator("button.btn-done").click()

    status, body = try_me(page)

    assert status.startswith("401")
    assert json.loads(body)["status"] == 401
    assert ("POST", "/auth/login", 401) in traffic.answers
    assert ("GET", "/auth/me", 401) in traffic.answers
    assert traffic.foreign == []
    # The browser reports each 401 it was answered as a console error; nothing else may be.
    assert all("status of 401" in error for error in traffic.errors), traffic.errors
