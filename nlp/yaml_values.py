"""YAML read with a bound on what aliases expand to.

Aliases share one parsed value, but printing, comparing or copying it walks every copy: a few
lines of `&a [*b, *b, ...]` stand for billions of values (the "billion laughs"). Posts, config
files, rule files and --set values all go through this bound.
"""
from __future__ import annotations

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode

MAX_YAML_VALUES = 100_000  # counting each alias (*name) as a copy: no post or config needs more


class TooManyValues(YAMLError):
    def __init__(self):
        super().__init__(f"expands to over {MAX_YAML_VALUES:,} values through YAML aliases (*name); not read")


def expands_too_far(node) -> bool:
    """Whether the composed `node` stands for more than MAX_YAML_VALUES values once aliases are expanded."""
    todo, count = [node], 0
    while todo:
        node, count = todo.pop(), count + 1
        if count > MAX_YAML_VALUES:
            return True
        if isinstance(node, MappingNode):
            todo += [item for pair in node.value for item in pair]
        elif isinstance(node, SequenceNode):
            todo += node.value
    return False


def load_bounded(text: str):
    """Safe-load one YAML document, refusing (TooManyValues) one that aliases expand past the bound."""
    yaml = YAML(typ="safe", pure=True)
    node = yaml.compose(text)
    if node is None:
        return None
    if expands_too_far(node):
        raise TooManyValues()
    return yaml.constructor.construct_document(node)
