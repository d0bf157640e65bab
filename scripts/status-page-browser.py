#!/usr/bin/env python3
"""Opens Herald's public status page in headless Chromium (Selenium + chromium-driver) and reports
what a reader sees, as JSON on stdout, for the Swift test that starts the server to assert on.

Usage: status-page-browser.py BASE_URL EXPORT_DIR SCREENSHOT_DIR
  BASE_URL        e.g. http://127.0.0.1:8080 (herald serve with status_page configured)
  EXPORT_DIR      a folder written by `herald status-page export`, opened from disk (file://)
  SCREENSHOT_DIR  where the screenshots go (desktop and phone, English and Korean)

For every combination of JavaScript on/off, desktop (1280x900) and phone (390x844) viewport, and
English/Korean, it loads /status?lang=…, records the page's language, the services with their status
words, the incident titles, whether the page is wider than the viewport (horizontal scrolling), and
follows the first incident link to its timeline. Then it opens the exported index.html and its first
incident from disk the same way.
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def driver(javascript, viewport):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(argument)
    width, height = VIEWPORTS[viewport]
    options.add_argument(f"--window-size={width},{height}")
    if viewport == "phone":
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0}})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    return browser


def read(browser, viewport):
    """What a reader sees, without running any of the page's own script (there is none)."""
    width, _ = VIEWPORTS[viewport]
    body = browser.find_element(By.TAG_NAME, "body")
    widest = max([element.rect["x"] + element.rect["width"] for element in browser.find_elements(By.CSS_SELECTOR, "body *")] + [0])
    services = []
    for row in browser.find_elements(By.CSS_SELECTOR, "main > section:first-child li.service"):
        spans = row.find_elements(By.TAG_NAME, "span")
        services.append([spans[0].text, spans[1].text])
    return {
        "lang": browser.find_element(By.TAG_NAME, "html").get_attribute("lang"),
        "title": browser.title,
        "services": services,
        "incidents": [link.text for link in browser.find_elements(By.CSS_SELECTOR, "article h3 a")],
        "text": body.text,
        "fits": widest <= width + 1,
        "widest": widest,
        "subscribe": [field.is_displayed() for field in browser.find_elements(By.CSS_SELECTOR, "form.subscribe input[type=email]")] == [True],
    }


def timeline(browser):
    links = browser.find_elements(By.CSS_SELECTOR, "article h3 a")
    if not links:
        return None
    # Followed by address rather than click(): a click with scripts off waits on an event that
    # never comes under mobile emulation; the address is what the link holds either way.
    browser.get(links[0].get_attribute("href"))
    return {"url": browser.current_url, "heading": browser.find_element(By.TAG_NAME, "h1").text, "text": browser.find_element(By.TAG_NAME, "body").text}


def main():
    base, export_dir, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(shots, exist_ok=True)
    report = {"served": [], "exported": []}
    for javascript in (True, False):
        for viewport in VIEWPORTS:
            browser = driver(javascript, viewport)
            try:
                for language in ("en", "ko"):
                    browser.get(f"{base}/status?lang={language}")
                    seen = read(browser, viewport)
                    seen.update({"javascript": javascript, "viewport": viewport, "asked": language})
                    if javascript:
                        seen["scroll_width"] = browser.execute_script("return document.documentElement.scrollWidth")
                        seen["inner_width"] = browser.execute_script("return window.innerWidth")
                    browser.save_screenshot(os.path.join(shots, f"status-{viewport}-{language}{'' if javascript else '-nojs'}.png"))
                    forms = browser.find_elements(By.CSS_SELECTOR, "form.subscribe")
                    if forms and javascript:
                        # The subscription form sits below the fold: a picture of its section alone.
                        forms[0].find_element(By.XPATH, "..").screenshot(os.path.join(shots, f"subscribe-{viewport}-{language}.png"))
                    seen["timeline"] = timeline(browser)
                    report["served"].append(seen)
                browser.get("file://" + os.path.abspath(os.path.join(export_dir, "index.html")))
                seen = read(browser, viewport)
                seen.update({"javascript": javascript, "viewport": viewport})
                seen["timeline"] = timeline(browser)
                report["exported"].append(seen)
            finally:
                browser.quit()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
