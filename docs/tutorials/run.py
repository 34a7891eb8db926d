"""Execute the tutorial notebooks in place, so that the outputs they carry are what dagnet prints now.

    python docs/tutorials/run.py                       # every notebook of this folder
    python docs/tutorials/run.py docs/tutorials/X.ipynb  # some of them

Each notebook runs top to bottom in a fresh kernel, with this folder as its working directory,
and is saved with its outputs; a failing ``assert`` (dagnet against a tutorial's closed form)
stops with the cell that failed. Needs nbclient, nbformat and ipykernel (in the ``dev`` extra).

``tests/test_tutorials.py`` runs every notebook again and checks that what each prints is what
the committed notebook shows, so a notebook whose outputs went stale fails the suite.
"""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = sorted(glob.glob(os.path.join(HERE, "*.ipynb")))
#: The tag of a cell showing the live widget: what it shows depends on the extras installed and on
#: the front end, so its output is not compared.
LIVE = "live"
#: Per-cell metadata that changes on every run without the outputs changing.
VOLATILE = ("execution",)


def execute(path, timeout=600):
    """The notebook at ``path`` (an ``nbformat`` node), run top to bottom in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
    for cell in notebook.cells:
        for key in VOLATILE:
            cell.metadata.pop(key, None)
    return notebook


def printed(notebook):
    """``[(cell number, what it printed)]`` of the code cells that print, the live widget's aside.

    ``notebook`` is an ``nbformat`` node or the notebook's JSON as a dict.
    """
    found = []
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or LIVE in cell.get("metadata", {}).get("tags", []):
            continue
        text = "".join("".join(output["text"]) for output in cell.get("outputs", [])   # a string or lines
                       if output["output_type"] == "stream" and output["name"] == "stdout")
        if text:
            found.append((number, text))
    return found


def main(argv=None):
    import nbformat

    paths = (sys.argv[1:] if argv is None else argv) or NOTEBOOKS
    for path in paths:
        notebook = execute(path)
        nbformat.write(notebook, path)
        print(f"ran and saved {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
