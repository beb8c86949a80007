"""Test lanes: every test gets the marker of its folder, so lanes can be picked by folder or -m.

Lanes (fast first; CI runs them in this order and stops at the first failure):
  unit, contract  seconds             uv run pytest tests/unit tests/contract
  functional      handlers, gateway   uv run pytest tests/functional -m "not release"
  release         builds the zips     uv run pytest -m release
  e2e             real clients        uv run pytest tests/e2e -m "not browser"
  infra           Terraform offline   uv run pytest tests/infra
  browser         headless Chromium   uv run pytest -m browser
`uv run pytest` runs them all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FOLDER_LANES = ("unit", "contract", "functional", "e2e", "infra")
MARKERS = {
    **{lane: f"in tests/{lane}/ (set automatically)" for lane in FOLDER_LANES},
    "release": "builds the Lambda zips with tools/release (slow; once per session)",
    "browser": "drives headless Chromium (tests/e2e/browser*, test_*browser*)",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def lanes_for(path: Path) -> set[str]:
    """The folder lane of a test file, plus `browser` for browser tests."""
    try:
        parts = path.resolve().relative_to(TESTS.resolve()).parts
    except ValueError:
        return set()
    lanes = {parts[0]} & set(FOLDER_LANES) if len(parts) > 1 else set()
    if any(p.startswith("browser") for p in parts[1:]) or "browser" in path.stem:
        lanes.add("browser")
    return lanes


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for lane in sorted(lanes_for(Path(item.fspath))):
            item.add_marker(lane)
