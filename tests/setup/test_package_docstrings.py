"""A package's docstring names only modules that exist; the ones that promise a map of their
modules (one module per concern) name every one of them."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re

import pytest

PACKAGES = [
    "actions", "actions.directory", "bot", "bot.channels", "bot.db", "bot.handoff", "region",
    "rasa_addons", "scripts.fakes",
]  # fmt: skip
COMPLETE = ["actions", "actions.directory", "bot", "bot.channels", "bot.db", "bot.handoff",
            "scripts.fakes"]  # fmt: skip
REFERENCE = re.compile(r":mod:`([.\w]+)`")


def named(package: str) -> set[str]:
    """The modules the package's docstring names, as absolute names."""
    doc = importlib.import_module(package).__doc__ or ""
    return {package + name if name.startswith(".") else name for name in REFERENCE.findall(doc)}


def spec_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_docstring_names_only_modules_that_exist(package: str) -> None:
    missing = sorted(name for name in named(package) if not spec_exists(name))
    assert not missing, f"{package}'s docstring names modules that do not exist: {missing}"


@pytest.mark.parametrize("package", COMPLETE)
def test_a_package_docstring_that_maps_its_modules_names_them_all(package: str) -> None:
    path = importlib.import_module(package).__path__
    modules = {f"{package}.{m.name}" for m in pkgutil.iter_modules(path)}
    unnamed = sorted(modules - named(package))
    assert not unnamed, f"{package}'s docstring does not say what these own: {unnamed}"
