"""The line of a topology text that an error names, so the page can mark it.

dagnet's errors name where a problem is: ``line 3, column 5`` for text
that is not YAML, a key path such as ``edges[2].to`` or ``nodes.h.bias``
for a topology that is. :func:`error_line` turns either into a line number
of the text. Key paths are followed through YAML's node tree (the composer
only, which builds no objects, run on text dagnet's strict reader has
already accepted).

Examples
--------
>>> text = "inputs: [a]\\noutputs: [y]\\nnodes:\\n  y: {}\\nedges:\\n  - {from: a, to: y}\\n  - {from: y, to: a}\\n"
>>> error_line(text, "edges[1]"), error_line(text, "edges[1].to"), error_line(text, "line 2, column 4")
(7, 7, 2)
>>> error_line(text, "nodes.y"), error_line(text, None), error_line(text, "nodes.nothing")
(4, None, 3)
"""
import re

import yaml

_LINE = re.compile(r"line (\d+)")
_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def key_parts(key):
    """A key path as its parts: ``"edges[2].to"`` -> ``["edges", 2, "to"]``.

    >>> key_parts("nodes.h.0.bias")
    ['nodes', 'h', '0', 'bias']
    """
    return [int(index) if index else name for index, name in _TOKEN.findall(key)]


def _child(node, parts):
    """(child node, its line, parts used) for the longest run of ``parts`` naming a key or index of ``node``."""
    if isinstance(node, yaml.SequenceNode) and isinstance(parts[0], int):
        if parts[0] < len(node.value):
            item = node.value[parts[0]]
            return item, item.start_mark.line + 1, 1
    elif isinstance(node, yaml.MappingNode):
        for used in range(len(parts), 0, -1):    # a node name may hold dots: h.0
            name = ".".join(str(p) for p in parts[:used])
            for key_node, value_node in node.value:
                if str(key_node.value) == name:
                    return value_node, key_node.start_mark.line + 1, used
    return None, None, 0


def error_line(text, key):
    """The 1-based line that ``key`` (an error's ``key``) names in ``text``, or None.

    A key path that goes deeper than the text (a missing key) gives the
    line of the deepest part found.
    """
    if not key:
        return None
    match = _LINE.match(str(key))
    if match:
        return int(match.group(1))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    parts = key_parts(str(key))
    line = None
    while node is not None and parts:
        node, found, used = _child(node, parts)
        if node is None:
            break
        line, parts = found, parts[used:]
    return line
