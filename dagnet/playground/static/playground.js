// The playground's controls, shared by the page (app.js, over HTTP) and the notebook widget (widget.js,
// over Jupyter messages): a session's network, data and training, a frame loop that asks for the next
// frame once it has drawn the last, and the controls that edit and train.
//
// `root` holds the elements (the document, or the widget's shadow root: ids are looked up within it);
// `api` is the transport (api.js's `api` or channel.js's `channelApi`), both with the same calls;
// `keys` gets the keyboard shortcuts; `onOpen(sid)` hears of each session opened; `framesInFlight`
// frames may be under way at once while training (see frameLoop).

import { BLUE, CLASS_COLOURS, ORANGE, css } from "./colours.js";
import { createDataPanel } from "./datapanel.js";
import * as draw from "./draw.js";
import { Editor } from "./editor.js";
import { fmt, inspect } from "./inspector.js";
import { NetworkView } from "./network.js";

export function createPlayground(root, api, { keys = root, onOpen = () => {}, framesInFlight = 1 } = {}) {
  const $ = id => root.getElementById(id);
  let stopped = false;
  const page = { sid: null, state: null, info: null, selection: null, hover: null, playing: false,
                 csv: null, drawing: true, stats: { frames: 0, fps: 0, since: performance.now(), counted: 0 } };
  // While training, frames are asked for at most this often: drawing takes its share of the machine and
  // leaves the rest to training (the server trains in its own thread, whatever the page does).
  const FRAME_MS = 1000 / 20;

  let wakeUp = () => {};
  function markDirty() { wakeUp(); }
  const sleep = ms => new Promise(done => { const t = setTimeout(done, ms); wakeUp = () => { clearTimeout(t); done(); }; });

  // A message over the page for a few seconds (it pushes nothing down); a click or tap closes it.
  function message(text, kind = "error") {
    const box = $("message");
    box.textContent = text;
    box.className = kind;
    box.hidden = !text;
    clearTimeout(message.timer);
    if (text) message.timer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 4000);
  }

  // Run a request that returns a new state; show its error, if any, and return whether it worked.
  async function act(request) {
    try {
      const state = await request;
      if (state && state.nodes) showState(state);
      if ($("message").className === "error") message("");   // it worked: an old complaint no longer holds
      markDirty();
      return state || true;
    } catch (err) {
      message(err.message);
      if (page.state) { showSettings(page.state); data.show(page.state); }   // back to what is in force
      return null;
    }
  }

  // -- the structure ---------------------------------------------------------------------------

  $("message").addEventListener("click", () => { $("message").hidden = true; });

  // -- the structure ---------------------------------------------------------------------------

  // On a touch screen there is no hover and no right-click: a tap selects, and the menu is the toolbar's.
  const touch = window.matchMedia?.("(hover: none)").matches;
  const verb = touch ? "tap" : "click";
  const HINT = `${verb} a node, then another: adds or removes that edge; ${verb} one for its menu here` +
    (touch ? "" : " (or right-click it)");
  const featureLabel = name => page.info?.features?.find(f => f.name === name)?.label ?? String(name);

  const view = new NetworkView($("network"), {
    onHover: target => { page.hover = target; markDirty(); },
    onClick: target => clicked(target),
    onMenu: target => {
      select(target);
      if (!$("activation").hidden) $("activation").focus();
    },
    labelOf: featureLabel,
  });

  const editor = new Editor({
    textarea: $("yaml"), gutter: $("gutter"), status: $("yaml-status"), apply: $("apply"),
    validate: text => api.validate(text),
    onApply: async text => showState(await api.topology(page.sid, text)),
  });

  function showState(state) {
    const structureChanged = !page.state || page.state.version !== state.version;
    page.state = state;
    if (structureChanged) {
      view.show(state);
      if ($("yaml").value !== state.text) editor.set(state.text);
    }
    $("net-name").textContent = state.name ? `· ${state.name}` : "";
    const keep = page.selection;
    if (keep && !stillThere(keep)) select(null); else select(keep);
    showSettings(state);
    data.show(state);
    markDirty();
  }

  function stillThere(target) {
    const names = new Set(page.state.nodes.map(n => JSON.stringify(n.name)));
    if (target.node !== undefined) return names.has(JSON.stringify(target.node));
    return page.state.edges.some(e => e.source === target.edge[0] && e.target === target.edge[1]);
  }

  function nodeOf(name) { return page.state.nodes.find(n => n.name === name); }

  function select(target) {
    page.selection = target;
    view.select(target);
    const menu = $("selection-menu");
    menu.hidden = !target;
    $("hint").hidden = !!target;
    if (!target) {
      $("hint").textContent = HINT;
      return;
    }
    if (target.node !== undefined) {
      const node = nodeOf(target.node);
      $("selected-name").textContent = `${node.name}:`;
      $("activation").hidden = node.role === "input";
      $("activation").value = node.activation || "";
      $("remove-selected").hidden = node.role !== "hidden";
      $("remove-selected").textContent = "remove perceptron";
      $("hint").hidden = false;
      $("hint").textContent = `${verb} another node to add or remove the edge from this one (Escape: let go)`;
    } else {
      $("selected-name").textContent = `${target.edge[0]} → ${target.edge[1]}`;
      $("activation").hidden = true;
      $("remove-selected").hidden = false;
      $("remove-selected").textContent = "remove edge";
    }
  }

  async function clicked(target) {
    const current = page.selection;
    if (target && target.node !== undefined && current && current.node !== undefined && current.node !== target.node) {
      const result = await act(api.edit(page.sid, "toggle_edge", { source: current.node, target: target.node }));
      if (result) {
        select(null);
        const added = result.edges.some(e => e.source === current.node && e.target === target.node);
        message(`${added ? "added" : "removed"} the edge ${current.node} → ${target.node}`, "info");
      }
      return;
    }
    const same = current && target && JSON.stringify(current) === JSON.stringify(target);
    select(same ? null : target);
    markDirty();
  }

  $("add-perceptron").addEventListener("click", async () => {
    const beside = page.selection?.node !== undefined && nodeOf(page.selection.node)?.role === "hidden"
      ? page.selection.node : null;
    const state = await act(api.edit(page.sid, "add_perceptron", { beside }));
    if (state && state.made !== undefined && state.made !== null) {
      select({ node: state.made });
      message(`added the perceptron ${state.made} ` + (beside !== null ? `beside ${beside} (same inputs and outputs)`
        : "from every input to every output") + `; it is selected: its menu is beside “+ perceptron”`, "info");
    }
  });
  $("remove-selected").addEventListener("click", async () => {
    const target = page.selection;
    if (!target) return;
    const request = target.node !== undefined
      ? api.edit(page.sid, "remove_perceptron", { node: target.node })
      : api.edit(page.sid, "toggle_edge", { source: target.edge[0], target: target.edge[1] });
    if (await act(request)) {
      select(null);
      message(`removed ${target.node !== undefined ? `the perceptron ${target.node}`
                                                   : `the edge ${target.edge[0]} → ${target.edge[1]}`}`, "info");
    }
  });
  $("activation").addEventListener("change", () =>
    act(api.edit(page.sid, "set_activation", { node: page.selection.node, activation: $("activation").value })));

  // -- data and training settings -----------------------------------------------------------------

  function fill(select, options) {
    select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  }

  function showSettings(state) {
    const t = state.training;
    $("loss").value = state.loss;
    $("optimizer").value = t.optimizer;
    if (root.activeElement !== $("lr")) $("lr").value = t.lr;
    if (root.activeElement !== $("batch-size")) $("batch-size").value = t.batch_size ?? "";
    if (root.activeElement !== $("seed")) $("seed").value = t.seed;
    $("speed").value = t.speed === null ? "" : String(t.speed);
  }

  const data = createDataPanel($, { page, api, act: request => act(request) });
  const number = data.number;

  function sendTraining() {
    return act(api.training(page.sid, {
      optimizer: $("optimizer").value, lr: number("lr"), batch_size: number("batch-size", v => parseInt(v, 10)),
      seed: number("seed", v => parseInt(v, 10)) ?? 0, speed: number("speed"),
    }));
  }

  for (const id of ["optimizer", "lr", "batch-size", "seed", "speed"]) $(id).addEventListener("change", sendTraining);
  $("loss").addEventListener("change", () => act(api.edit(page.sid, "set_loss", { loss: $("loss").value })));
  $("grid").addEventListener("change", markDirty);

  // -- training controls ----------------------------------------------------------------------------

  async function control(action) {
    try {
      const status = await api.control(page.sid, action);
      showStatus(status);
      markDirty();
    } catch (err) {
      message(err.message);
    }
  }

  function showStatus(status) {
    page.playing = status.playing;
    $("play").textContent = status.playing ? "❚❚ pause" : "▶ play";
    $("epoch").textContent = status.epoch;
    if (status.error) message(status.error);
  }

  $("play").addEventListener("click", () => control(page.playing ? "pause" : "play"));
  $("step").addEventListener("click", () => control("step"));
  $("reset").addEventListener("click", () => control("reset"));
  function onKey(event) {
    // keys typed into a field are the field's; a focused button takes space as its own click, but
    // Escape lets go of the selection wherever the focus is (on "+ perceptron" just pressed, say)
    const field = ["INPUT", "TEXTAREA"].includes(event.target.tagName);
    if (event.key === "Escape" && !field && page.selection) { select(null); markDirty(); }
    if (field || ["SELECT", "BUTTON"].includes(event.target.tagName)) return;
    if (event.key === " ") { event.preventDefault(); control(page.playing ? "pause" : "play"); }
  }
  keys.addEventListener("keydown", onKey);

  // -- frames -------------------------------------------------------------------------------------

  function frameRequest() {
    const target = page.hover || page.selection;
    const request = { grid: parseInt($("grid").value, 10) };
    if (target?.node !== undefined) request.node = target.node;
    if (target?.edge) request.edge = target.edge;
    return request;
  }

  // What the colours of the output picture mean.
  function legend(box, picture) {
    if (!picture || picture.kind === legend.kind && picture.kind !== "heat") return;
    legend.kind = picture?.kind;
    const swatch = (rgb, text) => {
      const s = document.createElement("span");
      s.className = "swatch";
      s.style.background = css(rgb);
      return [s, text];
    };
    const parts = picture.kind === "heat"
      ? [...swatch(ORANGE, `ŷ = ${fmt(picture.low)}`), " ", ...swatch(BLUE, `ŷ = ${fmt(picture.high)}`)]
      : picture.kind === "classes"
        ? page.state.outputs.flatMap((name, k) => [...swatch(CLASS_COLOURS[k % 10], `class ${k} (${name})`), " "])
        : picture.kind === "curve" ? ["the line: ŷ over x"] : [];
    box.replaceChildren(...parts);
  }

  function showFrame(frame) {
    showStatus(frame);
    $("loss-train").textContent = fmt(frame.loss?.train);
    $("loss-test").textContent = fmt(frame.loss?.test);
    $("accuracy").textContent = frame.accuracy
      ? `accuracy ${(100 * frame.accuracy.train).toFixed(1)}% train` +
        (frame.accuracy.test === null ? "" : `, ${(100 * frame.accuracy.test).toFixed(1)}% test`) : "";
    draw.picture($("picture"), frame, page.state.data);
    legend($("picture-legend"), frame.picture);
    draw.lossCurves($("curve"), frame.curve);
    view.update(frame);
    inspect($("inspector"), frame, page.hover || page.selection);
  }

  // Frames per second, and the mean milliseconds a frame spends in its request (of which the server
  // computes it for computeMs) and in drawing.
  function countFrame(requestMs, drawMs, computeMs) {
    const s = page.stats, now = performance.now();
    s.frames += 1; s.counted += 1;
    s.computeMs = (s.computeMs ?? computeMs) * 0.9 + computeMs * 0.1;
    s.requestMs = (s.requestMs ?? requestMs) * 0.9 + requestMs * 0.1;
    s.drawMs = (s.drawMs ?? drawMs) * 0.9 + drawMs * 0.1;
    if (now - s.since >= 1000) {
      s.fps = s.counted * 1000 / (now - s.since);
      s.since = now; s.counted = 0;
      $("fps").textContent = page.playing ? `${s.fps.toFixed(0)} frames/s` : "";
    }
  }

  // One frame: asked for, then drawn unless a later one is on screen already (or the structure changed).
  let sent = 0, drawn = 0;
  async function fetchFrame() {
    const ticket = ++sent, started = performance.now();
    const frame = await api.frame(page.sid, frameRequest());
    const fetched = performance.now();
    if (ticket < drawn) return;
    if (frame.version !== page.state.version) {
      showState(await api.state(page.sid));
      return;
    }
    drawn = ticket;
    showFrame(frame);
    countFrame(fetched - started, performance.now() - fetched, frame.compute_ms);
  }

  // Frames while the page is open: the next asked for once the last is drawn, or, while training with
  // framesInFlight > 1 (the widget, whose messages take longer to go and come back than a frame takes
  // to draw), up to that many under way, asked for FRAME_MS apart.
  async function frameLoop() {
    const inFlight = [];
    let due = performance.now();      // when the next frame is asked for: FRAME_MS after the last was due,
    while (!stopped) {                // so a timer that fires late is made up for by the next wait
      if (!page.drawing) { await sleep(200); due = performance.now(); continue; }  // false: measure training alone
      const request = fetchFrame().catch(async err => {
        message(err.message);
        await new Promise(done => setTimeout(done, 2000));
      });
      inFlight.push(request);
      request.finally(() => inFlight.splice(inFlight.indexOf(request), 1));
      while (inFlight.length >= (page.playing ? framesInFlight : 1)) await inFlight[0];
      await new Promise(done => requestAnimationFrame(done));
      const now = performance.now();
      if (!page.playing) { await sleep(500); due = performance.now(); }  // paused: on a change, or twice a second
      else {
        due = Math.max(due + FRAME_MS, now - FRAME_MS);   // never more than one frame's time to catch up
        await sleep(due - now);
      }
    }
  }

  // -- opening a session, starting, stopping ---------------------------------------------------------

  async function open(saved) {
    const created = await api.create(saved);
    const old = page.sid;
    page.sid = created.id;
    page.state = null;
    onOpen(page.sid);
    showState(created.state);
    if (old) api.close(old).catch(() => {});
  }

  // Fill the choices, open a session (`saved`, else a new one) and draw frames until stop().
  async function start(saved = null) {
    page.info = await api.info();
    data.build(page.info);
    fill($("dataset"), page.info.datasets.map(d => [d.name, `${d.name} (${d.task === "regression" ? "regression" : `${d.n_classes} classes`})`]));
    fill($("loss"), page.info.losses.map(l => [l, l]));
    fill($("optimizer"), Object.keys(page.info.optimizers).map(o => [o, o]));
    fill($("activation"), page.info.activations.map(a => [a, a]));
    try {
      await open(saved);
    } catch (err) {
      if (!saved) throw err;
      message(`${err.message}; starting afresh`);
      await open(null);
    }
    frameLoop();
  }

  function stop() {
    stopped = true;
    keys.removeEventListener("keydown", onKey);
    markDirty();
  }

  return { page, editor, message, act, open, start, stop, markDirty };
}
