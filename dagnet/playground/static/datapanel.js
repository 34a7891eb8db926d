// The data panel (playground.js's): the data sets as thumbnails and a menu, inputs derived from x and y
// (x², sin x, ...) to add to the network, the number of samples, noise, test fraction and seed, and a
// CSV file of one's own. `$` finds an element by id; `page` is the playground's state; `act` runs a
// request that returns a new state.

import * as draw from "./draw.js";

export function createDataPanel($, { page, api, act }) {
  const number = (id, parse = Number) => ($(id).value === "" ? null : parse($(id).value));

  // The choices of the server's catalogue: a thumbnail per data set, a button per derived input.
  function build(info) {
    $("thumbnails").replaceChildren(...info.datasets.map(d => {
      const button = document.createElement("button");
      button.className = "thumb";
      button.dataset.name = d.name;
      button.title = `${d.name}: ${d.task === "regression" ? "regression" : `${d.n_classes} classes`}`;
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 44;
      draw.thumbnail(canvas, d.preview);
      const caption = document.createElement("span");
      caption.textContent = d.name;
      button.append(canvas, caption);
      button.addEventListener("click", () => choose(d.name));
      return button;
    }));
    $("features").replaceChildren($("features").firstElementChild, ...info.features.map(f => {
      const button = document.createElement("button");
      button.dataset.feature = f.name;
      button.textContent = f.label;
      button.title = `an input ${f.name}, computed from the data, feeding what the first input feeds`;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () => act(api.edit(page.sid, "toggle_feature", { feature: f.name })));
      return button;
    }));
  }

  function choose(name) {
    $("dataset").value = name;
    $("dataset").dispatchEvent(new Event("change"));
  }

  // The data settings in force, the points' summary or why the data does not fit, and the derived inputs.
  function show(state) {
    const data = state.data, s = data.settings;
    let upload = $("dataset").querySelector("option[data-upload]");
    if (s.csv || s.own) {   // an uploaded file (or the widget's own data) shows as one more choice, chosen
      if (!upload) {
        upload = new Option("", "");
        upload.dataset.upload = "yes";
        $("dataset").append(upload);
      }
      upload.textContent = s.own ?? `${s.name} (CSV)`;
      $("dataset").value = "";
    } else {
      upload?.remove();
      $("dataset").value = s.name;
    }
    for (const thumb of $("thumbnails").children)
      thumb.classList.toggle("chosen", !s.csv && !s.own && thumb.dataset.name === s.name);
    for (const button of $("features").querySelectorAll("button"))
      button.setAttribute("aria-pressed", String(state.inputs.includes(button.dataset.feature)));
    $("n-samples").value = s.n_samples ?? "";
    $("noise").value = s.noise ?? "";
    $("test-fraction").value = s.test_fraction;
    $("data-seed").value = s.data_seed;
    $("data-info").textContent = data.points
      ? `${data.source}: ${data.task}, ${data.n_train} training and ${data.n_test} test samples` : "";
    $("data-error").hidden = !data.error;
    $("data-error").textContent = data.error || "";
  }

  function send() {
    if (page.state.data.settings.csv && page.csv) {
      return act(api.csv(page.sid, page.csv.text, page.csv.name, number("test-fraction")));
    }
    if (page.state.data.settings.own) {   // the data given: only its split changes
      return act(api.data(page.sid, { test_fraction: number("test-fraction") ?? 0,
                                      data_seed: number("data-seed", v => parseInt(v, 10)) ?? 0 }));
    }
    return act(api.data(page.sid, {
      name: $("dataset").value, n_samples: number("n-samples", v => parseInt(v, 10)), noise: number("noise"),
      test_fraction: number("test-fraction") ?? 0, data_seed: number("data-seed", v => parseInt(v, 10)) ?? 0,
    }));
  }

  $("dataset").addEventListener("change", () => {
    if (!$("dataset").value) return;   // the uploaded file, already in use
    page.csv = null;
    page.state.data.settings.csv = false;
    send();
  });
  for (const id of ["n-samples", "noise", "test-fraction", "data-seed"]) $(id).addEventListener("change", send);
  $("csv").addEventListener("change", async event => {
    const file = event.target.files[0];
    if (!file) return;
    page.csv = { text: await file.text(), name: file.name };
    await act(api.csv(page.sid, page.csv.text, file.name, number("test-fraction") ?? 0.2));
    event.target.value = "";
  });

  return { build, show, number };
}
