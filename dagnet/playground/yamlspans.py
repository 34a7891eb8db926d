"""Small changes to YAML text in place: the rest of the text, comments and layout included, stays as it was.

A person's topology file has comments, a folded description, ``defaults``
and a layout of its own; an edit made by clicking should change that text
the way the person would have: one more line, one number, one name. The
text is composed into YAML's node tree (whose marks are character
positions in the text), and each function here gives
a :class:`Splice` (replace ``text[start:end]`` by ``new``) that changes one
collection in its own style, block (one item per line, at the items'
indent) or flow (``[a, b]``, ``{k: v}``). :func:`apply` makes them.

A function that cannot change its part in place (a layout it does not
know) raises :class:`Unplaceable`, and the caller writes the part another way.

Examples
--------
>>> text = "inputs: [a, b]   # two\\nnodes:\\n  y: {}\\nedges:\\n  - {from: [a, b], to: y}\\n"
>>> root = compose(text)
>>> _, inputs = entry(root, "inputs")
>>> _, edges = entry(root, "edges")
>>> print(apply(text, [append_items(text, inputs, ["c"]), append_items(text, edges, ["{from: c, to: y}"])]), end="")
inputs: [a, b, c]   # two
nodes:
  y: {}
edges:
  - {from: [a, b], to: y}
  - {from: c, to: y}
"""
from dataclasses import dataclass

import yaml


class Unplaceable(ValueError):
    """The text's layout has no place this change can be made in."""


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` by ``new``."""

    start: int
    end: int
    new: str


#: libyaml's composer when present (its marks count characters, as the pure-Python one's do)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text):
    """The YAML node tree of ``text`` (marks are character positions in it)."""
    return yaml.compose(text, Loader=LOADER)


def apply(text, splices):
    """``text`` with every splice made; splices must not overlap (Unplaceable if they do)."""
    out, at = [], 0
    for s in sorted(splices, key=lambda s: (s.start, s.end)):
        if s.start < at:
            raise Unplaceable("two changes overlap")
        out += [text[at:s.start], s.new]
        at = s.end
    return "".join(out) + text[at:]


def newline(text):
    """The line ending ``text`` uses."""
    return "\r\n" if "\r\n" in text else "\n"


def line_start(text, index):
    return text.rfind("\n", 0, index) + 1


def line_end(text, index):
    """Where the line holding ``index`` ends (before its line break), its comment included."""
    end = text.find("\n", index)
    end = len(text) if end < 0 else end
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def is_block(node):
    return isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style


def is_empty(node):
    """A value left out (``key:`` with nothing after it)."""
    return (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")
            and node.start_mark.index == node.end_mark.index)


def content_end(text, node):
    """Where ``node``'s own text ends: its last character, not the line breaks and indents after it."""
    if is_block(node) and node.value:
        last = node.value[-1]
        return content_end(text, last[1] if isinstance(node, yaml.MappingNode) else last)
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def entry(mapping, key):
    """``(key node, value node)`` of ``key`` (a name: text or a whole number) in a mapping node, or None."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
            return key_node, value_node
    return None


def after_colon(text, key_node):
    """The position just past the ``:`` that follows ``key_node``."""
    colon = text.find(":", key_node.end_mark.index)
    if colon < 0:
        raise Unplaceable("no ':' after a key")
    return colon + 1


def _dash(text, item):
    """The position of the ``-`` that opens block-sequence ``item``, alone on its line before it."""
    dash = text.rfind("-", 0, item.start_mark.index)
    if dash < 0 or text[line_start(text, dash):dash].strip():
        raise Unplaceable("a sequence item not on a line of its own")
    return dash


def _column(text, index):
    return index - line_start(text, index)


def append_items(text, sequence, items):
    """Add ``items`` (each one line of flow text) at the end of ``sequence``."""
    if is_block(sequence):
        indent = " " * _column(text, _dash(text, sequence.value[0]))
        at = line_end(text, content_end(text, sequence.value[-1]))
        return Splice(at, at, "".join(f"{newline(text)}{indent}- {item}" for item in items))
    if not isinstance(sequence, yaml.SequenceNode):
        raise Unplaceable("not a sequence")
    if sequence.value:
        at = sequence.value[-1].end_mark.index
        return Splice(at, at, "".join(f", {item}" for item in items))
    at = sequence.start_mark.index + 1          # just inside the "["
    return Splice(at, at, ", ".join(items))


def replace_item(text, sequence, index, items):
    """Put ``items`` (lines of flow text) where item ``index`` of ``sequence`` is; no items removes it."""
    node = sequence.value[index]
    if not items:
        return remove_item(text, sequence, index)
    if is_block(sequence):
        indent = " " * _column(text, _dash(text, node))
        joined = f"{newline(text)}{indent}- ".join(items)
    else:
        joined = ", ".join(items)
    return Splice(node.start_mark.index, content_end(text, node), joined)


def remove_items(text, sequence, indices):
    """Splices removing the items ``indices`` of ``sequence``: their lines in block style; in flow
    style each run of them with the comma before it (after it, for a run at the start)."""
    items, gone = sequence.value, sorted(set(indices))
    if not is_block(sequence):
        runs = []
        for index in gone:
            if runs and runs[-1][1] == index - 1:
                runs[-1][1] = index
            else:
                runs.append([index, index])
        splices = []
        for first, last in runs:
            if first > 0:
                splices.append(Splice(items[first - 1].end_mark.index, items[last].end_mark.index, ""))
            elif last < len(items) - 1:
                splices.append(Splice(items[0].start_mark.index, items[last + 1].start_mark.index, ""))
            else:
                splices.append(Splice(items[0].start_mark.index, items[-1].end_mark.index, ""))
        return splices
    if len(gone) >= len(items):
        raise Unplaceable("every item of a block sequence")
    splices = []
    for index in sorted(gone):
        node = items[index]
        start = line_start(text, _dash(text, node))
        end = line_end(text, content_end(text, node))
        if end < len(text):
            end = text.index("\n", end) + 1
        splices.append(Splice(start, end, ""))
    return splices


def remove_item(text, sequence, index):
    """The splice removing item ``index`` of ``sequence`` (see :func:`remove_items`)."""
    return remove_items(text, sequence, [index])[0]


def set_key(text, mapping_key, mapping, key, value):
    """Make ``key: value`` hold in ``mapping`` (the value of ``mapping_key``): its value replaced, or added."""
    found = entry(mapping, key)
    if found is not None:
        node = found[1]
        if is_block(node):
            raise Unplaceable(f"{key} holds a block")
        if is_empty(node):
            at = after_colon(text, found[0])
            return Splice(at, at, f" {value}")
        return Splice(node.start_mark.index, content_end(text, node), value)
    return add_entry(text, mapping_key, mapping, key, value)


def add_entry(text, mapping_key, mapping, key, value, after=None):
    """Add ``key: value`` to ``mapping`` (the value of ``mapping_key``): after key ``after``, else last.

    ``mapping`` may also be a value left out (``out:``), which becomes ``{key: value}``.
    """
    if is_empty(mapping):
        at = after_colon(text, mapping_key)
        return Splice(at, at, f" {{{key}: {value}}}")
    if not isinstance(mapping, yaml.MappingNode):
        raise Unplaceable("not a mapping")
    pairs = mapping.value
    anchor = entry(mapping, after) if after is not None else (pairs[-1] if pairs else None)
    if after is not None and anchor is None:
        raise Unplaceable(f"no key {after!r} to add after")
    if is_block(mapping):
        at = line_end(text, content_end(text, anchor[1]))
        indent = " " * _column(text, pairs[0][0].start_mark.index)
        return Splice(at, at, f"{newline(text)}{indent}{key}: {value}")
    if anchor is None:
        at = mapping.start_mark.index + 1          # just inside the "{"
        return Splice(at, at, f"{key}: {value}")
    at = anchor[1].end_mark.index if not is_empty(anchor[1]) else after_colon(text, anchor[0])
    return Splice(at, at, f", {key}: {value}")


def remove_entry(text, mapping, key):
    """Remove ``key`` and its value from ``mapping`` (its lines in block style)."""
    pairs = mapping.value
    index = next(k for k, (key_node, _) in enumerate(pairs) if key_node.value == str(key))
    key_node, value_node = pairs[index]
    if is_block(mapping):
        start = line_start(text, key_node.start_mark.index)
        if text[start:key_node.start_mark.index].strip():
            raise Unplaceable("a mapping entry not on a line of its own")
        end = line_end(text, content_end(text, value_node))
        if len(pairs) == 1:
            raise Unplaceable("the last entry of a block mapping")
        if end < len(text):
            end = text.index("\n", end) + 1
        return Splice(start, end, "")
    end = value_node.end_mark.index if not is_empty(value_node) else after_colon(text, key_node)
    if len(pairs) == 1:
        return Splice(key_node.start_mark.index, end, "")
    if index > 0:
        before = pairs[index - 1]
        return Splice(before[1].end_mark.index if not is_empty(before[1]) else after_colon(text, before[0]), end, "")
    return Splice(key_node.start_mark.index, pairs[1][0].start_mark.index, "")


def replace_value(text, key_node, value_node, flow_text, block_lines):
    """Give ``key_node`` a new value: ``flow_text`` where the old one is flow (or a scalar), else
    ``block_lines`` (lines without indent), each on a line of its own at the text's indent."""
    at = after_colon(text, key_node)
    end = content_end(text, value_node) if not is_empty(value_node) else at
    if not is_block(value_node) or block_lines is None:
        return Splice(at, end, f" {flow_text}")
    indent = " " * (_column(text, value_node.start_mark.index))
    nl = newline(text)
    return Splice(at, end, "".join(f"{nl}{indent}{line}" for line in block_lines))
