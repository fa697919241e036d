"""Log template mining and pattern watching: templates with `<*>` variables, new and changing patterns."""

from forewarn.analysis.logs.miner import LogMatch, LogTemplateMiner, MinerConfig, TemplateInfo
from forewarn.analysis.logs.tokens import mask_word, split_words
from forewarn.analysis.logs.watcher import PatternEvent, PatternWatcher, WatcherConfig

__all__ = [
    "LogMatch",
    "LogTemplateMiner",
    "MinerConfig",
    "PatternEvent",
    "PatternWatcher",
    "TemplateInfo",
    "WatcherConfig",
    "mask_word",
    "split_words",
]
