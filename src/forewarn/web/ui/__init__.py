"""Server-rendered UI: views, templates and vendored static JS."""
