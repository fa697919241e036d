"""Step executors (local process, SSH, HTTP, built-in actions) and the seams they reach the world through."""
