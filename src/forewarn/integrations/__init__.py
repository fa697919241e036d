"""Built-in plugins, one subpackage each; they import only plugins.v1 and core."""
