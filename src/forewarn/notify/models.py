"""Tables of the notify area (channels, outbox, delivery log); filled in by its own migration."""
