"""Headless Debian Chromium for the console tests, driven with selenium through ``/usr/bin/chromedriver``.

Selenium calls block, so each runs in a worker thread: the bus under test keeps serving on the event loop.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SETUP = Path(__file__).resolve().parents[2] / "ops" / "lib" / "setup.sh"
PAGE_CHANGES = (
    NoSuchElementException,
    StaleElementReferenceException,
    ElementClickInterceptedException,
    ElementNotInteractableException,
)
"""What a wait retries through: the element is not there yet, or was just re-rendered."""
T = TypeVar("T")


def _installed() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def require_chromium() -> None:
    """Install Chromium and its driver where missing (``ensure_chromium``, as ops/test.sh does), else skip."""
    if _installed():
        return
    try:
        ran = subprocess.run(
            ["bash", "-c", f'source "{SETUP}" && ensure_chromium'], capture_output=True, text=True, timeout=900
        )
        output = (ran.stdout + ran.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        output = str(exc)
    if not _installed():
        pytest.skip(
            f"needs Debian chromium and chromium-driver, which are missing and could not be installed: {output}"
        )


@contextmanager
def headless_chromium(timeout: float = 20.0) -> Iterator[Browser]:
    """One headless Chromium for a module's tests (each bus has its own port, so its own origin and storage)."""
    require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield Browser(driver, timeout)
    finally:
        driver.quit()


class Browser:
    """Async wrappers over the blocking driver; every lookup waits for the page to get there."""

    def __init__(self, driver: WebDriver, timeout: float) -> None:
        self.driver = driver
        self.timeout = timeout

    async def _until(self, condition: Callable[[WebDriver], T | None], what: str) -> T:
        wait = WebDriverWait(self.driver, self.timeout, ignored_exceptions=PAGE_CHANGES)
        message = f"waited {self.timeout}s for {what}"
        return await asyncio.to_thread(wait.until, condition, message)

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self.driver.get, url)

    async def script(self, source: str) -> Any:
        return await asyncio.to_thread(self.driver.execute_script, source)

    async def click(self, css: str) -> None:
        await self._until(lambda d: d.find_element(By.CSS_SELECTOR, css).click() or True, f"{css} to click")

    async def fill(self, css: str, text: str) -> None:
        def type_in(driver: WebDriver) -> bool:
            field = driver.find_element(By.CSS_SELECTOR, css)
            field.clear()
            field.send_keys(text)
            return True

        await self._until(type_in, f"{css} to type in")

    async def text(self, css: str, contains: str = "") -> str:
        """The visible text of the first element matching ``css``, once it contains ``contains``."""

        def shown(driver: WebDriver) -> str | None:
            value = driver.find_element(By.CSS_SELECTOR, css).text
            return value if contains in value and value else None

        return await self._until(shown, f"{css} to show {contains!r}")

    async def texts(self, css: str, count: int) -> list[str]:
        """The texts of the elements matching ``css``, once there are ``count`` of them."""

        def listed(driver: WebDriver) -> list[str] | None:
            values = [element.text for element in driver.find_elements(By.CSS_SELECTOR, css)]
            return values if len(values) == count else None

        return await self._until(listed, f"{count} of {css}")

    async def severe_logs(self) -> list[str]:
        """Errors the page logged (script errors, refused resources, failed requests)."""
        entries = await asyncio.to_thread(self.driver.get_log, "browser")
        return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]
