"""Composition root of the embedded platform: bootstrap, stage wiring and the running Platform."""

from forewarn.runtime.platform import Platform

__all__ = ["Platform"]
