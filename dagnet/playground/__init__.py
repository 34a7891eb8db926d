"""The playground: the Backpropagation Tutorial's applets live in a browser, for any DAG, trained by dagnet.

``dagnet playground [TOPOLOGY.yaml]`` starts a local web server (the
``playground`` extra: starlette and uvicorn) and opens a page that edits the
topology both ways (YAML text and the drawn graph), trains the network
while it redraws the decision regions, the loss curves and every
perceptron's z_j over the input plane, and shows s_j, z_j, δ_j, w and
∂E/∂w of what the pointer is on. See ``docs/playground.md``.

The modules, one job each:

==============  ==========================================================
``limits``      the bounds on every size a request can ask for
``settings``    the data and training settings a page sends, checked
``edits``       structural edits that keep the weights surviving them
``yamllines``   the line of a topology text that an error's key names
``samples``     the data of a session: built-in sets, CSV text, splits
``pictures``    frames: the output over the plane, z_j maps, histograms
``curve``       the loss curves, thinned to a bounded number of points
``layout``      where the page draws each node (columns by generation)
``session``     one tab's network, data, optimiser and training thread
``describe``    what the page is told about a session (layout, points)
``registry``    a server's open sessions: capped, only idle ones closed
``saving``      a session as a file or link, and back
``topologies``  the network a playground opens with when given none
``bodies``      request bodies: bounded in size, time and JSON depth
``server``      the HTTP routes (starlette) and the page (``static/``)
``listen``      the socket (loopback by default), ``serve`` (uvicorn), slow clients cut off
==============  ==========================================================

Importing this package (or any of its modules) imports neither starlette
nor uvicorn; :func:`dagnet.playground.server.make_app` and
:func:`dagnet.playground.listen.serve` import them when called, and say
how to install them when they are missing.
"""

#: What the command and the server say when the ``playground`` extra is missing.
MISSING_EXTRA = 'the playground needs starlette and uvicorn: pip install "dagnet[playground]"'
