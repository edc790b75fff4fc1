"""The list of rule classes. Adding a rule: write its module, then add one line here."""

from cachelint.rules.cl001_plain_string_system import PlainStringSystem
from cachelint.rules.cl002_dynamic_value_in_cached_prefix import DynamicValueInCachedPrefix
from cachelint.rules.cl003_missing_cache_control import MissingCacheControl

RULE_CLASSES: list = [
    PlainStringSystem,
    DynamicValueInCachedPrefix,
    MissingCacheControl,
]
