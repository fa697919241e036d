"""Log template mining and pattern watching: templates with `<*>` variables, new and changing patterns."""

from forewarn.analysis.logs.miner import LogMatch, LogTemplateMiner, MinerConfig, TemplateInfo
from forewarn.analysis.logs.tokens import mask_word, split_words

__all__ = ["LogMatch", "LogTemplateMiner", "MinerConfig", "TemplateInfo", "mask_word", "split_words"]
