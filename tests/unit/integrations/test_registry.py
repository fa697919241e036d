"""The five built-in checks are found through the `forewarn.plugins` entry points."""

from __future__ import annotations

from forewarn.plugins.registry import check_plugins
from forewarn.plugins.v1 import CheckPlugin, PluginConfig


def test_all_built_in_kinds_are_registered_with_metadata() -> None:
    plugins = check_plugins()

    assert {"ping", "tcp", "http", "tls", "dns"} <= set(plugins)
    for kind in ("ping", "tcp", "http", "tls", "dns"):
        plugin = plugins[kind]
        assert isinstance(plugin, CheckPlugin) and plugin.kind == kind and plugin.title
        assert issubclass(plugin.Config, PluginConfig)


def test_parse_config_goes_through_the_plugin_model() -> None:
    config = check_plugins()["tcp"].parse_config({"host": "127.0.0.1", "port": 22})

    assert config.redacted() == {
        "host": "127.0.0.1", "port": 22, "send": None, "expect": None, "max_bytes": 4096,
    }
