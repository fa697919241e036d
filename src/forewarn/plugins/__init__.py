"""The integration SDK (versioned under v1) and the registry that finds installed plugins."""
