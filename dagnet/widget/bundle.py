"""The widget's one ES module, assembled from the playground page's own modules and style.

anywidget loads a widget's front end from one ES module (``_esm``), with
no build step. The playground's page code is several ES modules
(``dagnet/playground/static/*.js``) importing each other by relative path,
which a module loaded from text cannot resolve. :func:`esm` therefore
writes a small loader holding the text of ``widget.js`` and every module
it imports (found by following their ``from "./x.js"`` imports): in the
browser it turns each into a blob URL, leaves first, with its imports
pointed at the URLs already made, and imports ``widget.js`` from its URL.
The modules run as the page runs them, unchanged; there is no second copy
to keep in step.

The widget's markup is the page's (the body of ``index.html``) and its
style the page's ``style.css`` with its ``:root``, ``html`` and ``body``
rules turned into rules of the widget's shadow root (``:host`` and the
``.page`` element holding the markup), then ``widget.css``.

Examples
--------
>>> order = module_order()
>>> order[-1], order.index("colours.js") < order.index("draw.js") < order.index("playground.js")
('widget.js', True)
>>> scoped_style(":root { --a: 1; }\\nbody { margin: 0; }")
':host { --a: 1; }\\n.page { margin: 0; }'
"""
import json
import os
import re

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "playground", "static")
#: An import of another module: ``from "./name.js"`` (also ``import "./name.js"``).
IMPORT = re.compile(r'''(?:from|import)\s*["']([^"']+)["']''')
#: The module the widget starts from.
ENTRY = "widget.js"


def read(name):
    """The text of ``name`` in the playground's static folder."""
    with open(os.path.join(STATIC, name), encoding="utf-8") as f:
        return f.read()


def imports_of(name):
    """The modules ``name`` imports (file names); ValueError for an import that is not ``./name.js``."""
    found = []
    for target in IMPORT.findall(read(name)):
        if not re.fullmatch(r"\./[\w.-]+\.js", target):
            raise ValueError(f"{name}: the widget can bundle only imports of the form './name.js', not {target!r}")
        found.append(target[2:])
    return found


def module_order(entry=ENTRY):
    """Every module ``entry`` needs, each after the modules it imports, ``entry`` last."""
    order, visiting = [], set()

    def visit(name):
        if name in order:
            return
        if name in visiting:
            raise ValueError(f"{name} imports itself through others: the widget cannot bundle a cycle")
        visiting.add(name)
        for dependency in imports_of(name):
            visit(dependency)
        visiting.discard(name)
        order.append(name)

    visit(entry)
    return order


def markup():
    """The page's markup: what ``index.html`` has between ``<body>`` and ``</body>``."""
    page = read("index.html")
    match = re.search(r"<body[^>]*>(.*)</body>", page, flags=re.S)
    if not match:
        raise ValueError("index.html has no <body>")
    return match.group(1).strip()


def scoped_style(css):
    """``css`` for a shadow root: the selectors ``:root`` and ``html`` become ``:host``, ``body`` becomes ``.page``."""
    css = re.sub(r"(?<![\w.#-]):root\b|(?<![\w.#:-])html\b(?![\w-])", ":host", css)
    return re.sub(r"(?<![\w.#:-])body\b(?![\w-])", ".page", css)


LOADER = """\
// dagnet's notebook widget: the playground page's own ES modules (dagnet/playground/static), each loaded
// from a blob URL with its imports pointed at the URLs of the others (see dagnet/widget/bundle.py).
const SOURCES = %(sources)s;
const ORDER = %(order)s;
const MARKUP = %(markup)s;
const STYLE = %(style)s;
let loaded = null;

function load() {
  const urls = {};
  for (const name of ORDER) {
    const text = SOURCES[name].replace(/(from|import)(\\s*)(["'])\\.\\/([\\w.-]+\\.js)\\3/g,
                                       (all, word, space, quote, dependency) => `${word}${space}"${urls[dependency]}"`);
    urls[name] = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  }
  return import(urls[%(entry)s]);
}

export default {
  async render({ model, el }) {
    loaded ??= load();
    const widget = await loaded;
    return widget.render({ model, el, markup: MARKUP, style: STYLE });
  },
};
"""


def esm():
    """The widget's ES module (text): the loader with every module, the markup and the style."""
    order = module_order()
    return LOADER % {"sources": json.dumps({name: read(name) for name in order}, ensure_ascii=False),
                     "order": json.dumps(order), "markup": json.dumps(markup(), ensure_ascii=False),
                     "style": json.dumps(scoped_style(read("style.css")) + "\n" + read("widget.css"),
                                         ensure_ascii=False),
                     "entry": json.dumps(ENTRY)}
