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
_INDEX = re.compile(r"\[(\d+)\]")
#: libyaml's composer when present (the pure-Python one is several times slower)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _after(key, end):
    """Where the part after ``key[:end]`` starts: past a dot, at a ``[``, or the end."""
    return end + 1 if key.startswith(".", end) else end


def _child(node, key, at):
    """(child node, its line, where the rest of ``key`` starts) for the part of ``key`` at ``at``, or Nones.

    A mapping's key matches when ``key`` goes on with its name and then a
    dot, a ``[`` or the end; a node name may hold dots (``h.0``), so the
    longest such name wins. Each key of the mapping is compared once, in
    time of its length: the walk is linear in the text and the key path.
    """
    if isinstance(node, yaml.SequenceNode):
        match = _INDEX.match(key, at)
        if match and int(match.group(1)) < len(node.value):
            item = node.value[int(match.group(1))]
            return item, item.start_mark.line + 1, _after(key, match.end())
    elif isinstance(node, yaml.MappingNode):
        best = None
        for key_node, value_node in node.value:
            name = str(key_node.value)
            end = at + len(name)
            if (key.startswith(name, at) and (end == len(key) or key[end] in ".[")
                    and (best is None or end > best[0])):
                best = end, key_node, value_node
        if best is not None:
            end, key_node, value_node = best
            return value_node, key_node.start_mark.line + 1, _after(key, end)
    return None, None, None


def error_line(text, key):
    """The 1-based line that ``key`` (an error's ``key``) names in ``text``, or None.

    A key path that goes deeper than the text (a missing key) gives the
    line of the deepest part found.
    """
    if not key:
        return None
    key = str(key)
    match = _LINE.match(key)
    if match:
        return int(match.group(1))
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    line, at = None, 0
    while node is not None and at < len(key):
        node, found, at = _child(node, key, at)
        if node is not None:
            line = found
    return line
