"""forewarn: self-hosted proactive IT operations for MSPs and IT teams."""

__version__ = "0.1.0"
