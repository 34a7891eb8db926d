"""The one YAML reader of dagnet's files (topologies, experiments, command-line values).

Safe and strict: plain data only (strings, numbers, booleans, null,
lists, mappings), scalars read as YAML 1.2's core schema says (``1e-3``
is a number, ``010`` is ten, ``1:30`` and ``yes`` are text), duplicate keys
refused, aliases refused (so no alias bomb expands), nesting bounded
before anything is built, and every problem reported as the caller's error
type with the file and the line. JSON-shaped text (what ``net.save``
writes) is read by the C JSON parser.

Examples
--------
>>> read_value("[8, 1e-3, 010, 1:30, yes]")
[8, 0.001, 10, '1:30', 'yes']
>>> read_document("a: 1\\na: 2", source="x.yaml")
Traceback (most recent call last):
...
dagnet.errors.TopologyError: x.yaml: line 2, column 1: duplicate key 'a' (first at line 1)
"""
import json
import re

import yaml

from . import collector
from .errors import TopologyError

try:  # libyaml's C parser when present: the same rules, several times faster
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

#: Deepest nesting of lists and mappings a file may have.
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_CORE = [
    ("bool", r"true|True|TRUE|false|False|FALSE"),
    ("null", r"~|null|Null|NULL|"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"),
]


#: The most digits a whole number may have: far beyond any size, seed or weight, and short of
#: Python's own limit on converting digits to a number (4,300 unless changed).
MAX_DIGITS = 1000

_NODE_OF_TAG = {_TAG + "map": yaml.MappingNode, _TAG + "seq": yaml.SequenceNode}   # other tags: scalars
_NODE_WORDS = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.ScalarNode: "a single value"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = ("~", "null", "Null", "NULL", "")


def _refuse(node, problem):
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


class StrictLoader(_BaseLoader):
    """A safe loader with the YAML 1.2 core schema that refuses duplicate keys and non-plain tags.

    A scalar resolved by the core schema always has its type's form; an
    explicit tag (``!!int abc``, ``!!float [a]``) may not, and is refused
    here, located, like any other problem of the text.
    """

    yaml_implicit_resolvers = {}

    def construct_object(self, node, deep=False):
        if node.tag not in PLAIN_TAGS:
            raise _refuse(node, f"tag {node.tag!r} is not allowed (plain data only)")
        wanted = _NODE_OF_TAG.get(node.tag, yaml.ScalarNode)
        if not isinstance(node, wanted):
            raise _refuse(node, f"!!{node.tag[len(_TAG):]} needs {_NODE_WORDS[wanted]}, "
                                f"not {_NODE_WORDS[type(node)]}")
        return super().construct_object(node, deep)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                raise _refuse(key_node, f"a key must be a name or a number, not {type(key).__name__}") from None
            if first is not None:
                raise _refuse(key_node, f"duplicate key {key!r} (first at line {first.line + 1})")
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node):
        text = node.value
        if len(text) > MAX_DIGITS:
            raise _refuse(node, f"a whole number of {len(text):,} digits; at most {MAX_DIGITS:,}")
        base = 16 if text.startswith("0x") else 8 if text.startswith("0o") else 10
        try:
            return int(text[2:] if base != 10 else text, base)
        except ValueError:
            raise _refuse(node, f"{_shown(text)} is not a whole number (!!int)") from None

    def construct_yaml_float(self, node):
        text = node.value.lower()
        try:
            return float(text.replace(".", "") if text.endswith(("inf", "nan")) else text)
        except ValueError:
            raise _refuse(node, f"{_shown(node.value)} is not a number (!!float)") from None

    def construct_yaml_bool(self, node):
        if node.value not in _BOOLS:
            raise _refuse(node, f"{_shown(node.value)} is not true or false (!!bool)")
        return _BOOLS[node.value]

    def construct_yaml_null(self, node):
        if node.value not in _NULLS:
            raise _refuse(node, f"{_shown(node.value)} is not null (!!null)")
        return None


def _shown(text, limit=40):
    """``text`` quoted, cut to ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


for _kind, _pattern in _CORE:
    StrictLoader.add_implicit_resolver(_TAG + _kind, re.compile(f"^(?:{_pattern})$"),
                                       list("-+0123456789.~tTfFnN") + [""])
StrictLoader.add_constructor(_TAG + "int", StrictLoader.construct_yaml_int)
StrictLoader.add_constructor(_TAG + "float", StrictLoader.construct_yaml_float)
StrictLoader.add_constructor(_TAG + "bool", StrictLoader.construct_yaml_bool)
StrictLoader.add_constructor(_TAG + "null", StrictLoader.construct_yaml_null)

class _Refused(yaml.MarkedYAMLError):
    """A rule of dagnet's own (depth, aliases) that the text breaks."""


_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class _WalkLoader(yaml.SafeLoader):
    """The pure-Python parser, refusing flow nesting past MAX_DEPTH as it scans.

    Its look-ahead for possible keys costs time in the square of the flow
    collections open on a line (a second for a line of 1,000 ``[``), so
    their number is bounded while scanning, before it can cost that.
    """

    def fetch_flow_collection_start(self, TokenClass):
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep", self.get_mark())
        super().fetch_flow_collection_start(TokenClass)


def _check_events(text, loader=_BaseLoader):
    """Refuse aliases and nesting deeper than MAX_DEPTH, before anything is built (yaml.MarkedYAMLError)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep",
                               event.start_mark)
        elif isinstance(event, _CLOSE):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise _Refused(None, None, f"alias *{event.anchor} is not allowed "
                           f"(write the value out)", event.start_mark)


#: The longest text the pure-Python parser walks again where libyaml stopped first (characters):
#: far more than libyaml reads ahead (1,024), and walked in about a tenth of a second at most.
MAX_REWALK = 1 << 14


def _check_own_limits(text):
    """Our depth and alias rules decide first, whatever limits the C parser has of its own.

    libyaml reads ahead (up to 1,024 characters on a line, to settle a
    possible key) and may stop at a limit of its own before it hands over
    the event our walk would refuse. When it fails, the pure-Python parser,
    which has no limits of its own, walks the text again up to the end of
    the failing line (or, on a longer line, up to where libyaml stopped); a
    problem of ours found there is the one reported. A longer text than
    MAX_REWALK is not walked again: libyaml's problem, located, stands.
    """
    try:
        _check_events(text)
    except yaml.MarkedYAMLError as err:
        if isinstance(err, _Refused) or _BaseLoader is yaml.SafeLoader or err.problem_mark is None:
            raise
        head = _through_line(text, err.problem_mark.line)
        if len(head) > MAX_REWALK:
            head = _through_mark(text, err.problem_mark)
        if len(head) <= MAX_REWALK:
            try:
                _check_events(head, loader=_WalkLoader)
            except _Refused as ours:
                raise ours from None
            except (yaml.YAMLError, ValueError):    # a problem of the text, which libyaml has named
                pass                                # (PyYAML's scanner lets chr() fail on \U escapes)
        raise


def _through_line(text, line):
    """``text`` up to the end of the line numbered ``line`` (from 0), or the whole text."""
    end = -1
    for _ in range(line + 1):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end]


def _through_mark(text, mark):
    """``text`` up to and with the character ``mark`` points at."""
    start = 0 if mark.line == 0 else len(_through_line(text, mark.line - 1)) + 1
    return text[:start + mark.column + 1]


_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
def _unique_keys(pairs):
    mapping = dict(pairs)                 # at C speed; a key given twice makes it shorter
    if len(mapping) != len(pairs):
        raise ValueError("duplicate key")
    return mapping


def _whole(text):
    """A JSON integer, held to MAX_DIGITS as YAML's are (a ValueError hands the text to YAML)."""
    if len(text) > MAX_DIGITS:
        raise ValueError("too many digits")
    return int(text)


_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _holds_surrogate(data):
    """True when a string anywhere in ``data`` holds a lone surrogate (JSON's escapes can make one)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _read_json(text):
    """Files written by ``net.save`` are JSON-shaped YAML: read them at C speed (None if not JSON).

    The parse makes only lists and mappings that form no cycles: the
    garbage collector is paused meanwhile (:mod:`dagnet.collector`).
    """
    try:
        with collector.paused():
            data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=float, parse_int=_whole)
    except (ValueError, RecursionError):
        return None   # not plain JSON (or nested too deeply): YAML's checks name the line
    if _ESCAPED_SURROGATE.search(text) and _holds_surrogate(data):
        return None   # an escape of half a character: YAML refuses it and names the line
    return data


def read_json(text):
    """The data of ``text`` when it is a JSON object that :func:`read_document` reads as JSON (it then
    gives the same); None when it must be read (and any problem named) by :func:`read_document`."""
    if not text.lstrip().startswith("{"):
        return None
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return None
    data = _read_json(text)
    return data if isinstance(data, dict) else None


def _check_characters(text):
    """Refuse a lone surrogate, which no file can hold (UTF-8 has none) but a Python string can."""
    if text.isascii():        # a flag of the string: free
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        at = err.start
        line, column = text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)
        raise _Refused(None, None, f"U+{ord(text[at]):04X} is half of a character (a lone surrogate), "
                                   f"not text", yaml.Mark("<text>", at, line, column, None, None)) from None


def _parse(text):
    """Plain data from YAML text; yaml.YAMLError on any problem."""
    _check_characters(text)
    _check_own_limits(text)
    return yaml.load(text, Loader=StrictLoader)


def read_document(text, source=None, error=TopologyError):
    """Plain data from a whole file's text, or ``error(problem, source=..., key="line L, column C")``."""
    try:
        if text.lstrip().startswith("{"):
            _check_characters(text)
            data = _read_json(text)
            if data is not None:
                return data
        tab = _TAB_INDENT.search(text)
        if tab:
            line = text.count("\n", 0, tab.start()) + 1
            raise error("a tab indents this line; YAML indents with spaces only", source=source,
                        key=f"line {line}")
        return _parse(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise error(_short(err.problem or str(err)), source=source, key=where) from None
    except yaml.YAMLError as err:
        raise error(_short(str(err)), source=source) from None
    except RecursionError:
        raise error(f"nested too deeply (more than {MAX_DEPTH} levels)", source=source) from None


def read_value(text):
    """One YAML value (``"[8, 8]"``, ``"tanh"``, ``"1e-3"``), or ValueError saying why not."""
    try:
        return _parse(text)
    except yaml.YAMLError as err:
        raise ValueError(f"not a YAML value ({_short(getattr(err, 'problem', None) or str(err))})") from None


def _short(message, limit=300):
    """A problem text cut to ``limit`` characters (a hostile file must not make a huge message)."""
    message = " ".join(str(message).split())
    return message if len(message) <= limit else message[:limit] + "…"
