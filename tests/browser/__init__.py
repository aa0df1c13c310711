"""Browser tests: JupyterLab in headless chromium (a package, so its conftest does not shadow tests/conftest.py)."""
