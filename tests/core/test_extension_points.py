"""Extension points: the asking app collects what the answering apps registered."""

import sys
import types

import pytest

from core.extension_points import ExtensionPoint, providers_autodiscover


def test_collect_calls_every_provider_in_order():
    point: ExtensionPoint[int, int] = ExtensionPoint("test.double", "doubles")
    point.provide(lambda n: n * 2)
    point.provide(lambda n: n * 3)

    assert point.collect(5) == [10, 15]


def test_without_providers_collect_is_empty():
    point: ExtensionPoint[int, int] = ExtensionPoint("test.none", "nothing")

    assert point.collect(1) == []


def test_providing_twice_registers_once():
    point: ExtensionPoint[int, int] = ExtensionPoint("test.once", "once")

    def provider(n: int) -> int:
        return n

    point.provide(provider)
    point.provide(provider)

    assert point.providers == (provider,)


def test_autodiscover_imports_each_provider_module(tmp_path, monkeypatch):
    package = tmp_path / "someapp" / "providers"
    package.mkdir(parents=True)
    (tmp_path / "someapp" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "first.py").write_text("import builtins\nbuiltins._seen_first = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    providers_autodiscover("someapp")

    import builtins

    assert builtins._seen_first is True  # type: ignore[attr-defined]
    del builtins._seen_first  # type: ignore[attr-defined]
    for name in [n for n in sys.modules if n.startswith("someapp")]:
        del sys.modules[name]


def test_autodiscover_without_a_providers_package_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "bareapp", types.ModuleType("bareapp"))

    providers_autodiscover("bareapp")


def test_a_broken_provider_module_is_not_hidden(tmp_path, monkeypatch):
    package = tmp_path / "brokenapp" / "providers"
    package.mkdir(parents=True)
    (tmp_path / "brokenapp" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "bad.py").write_text("import module_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    with pytest.raises(ModuleNotFoundError, match="module_that_does_not_exist"):
        providers_autodiscover("brokenapp")
    for name in [n for n in sys.modules if n.startswith("brokenapp")]:
        del sys.modules[name]
