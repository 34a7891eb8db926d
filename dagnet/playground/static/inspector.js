// The inspector: what the pointer is on. A perceptron's formula with its weights plugged in, its s_j,
// z_j and δ_j = ∂E/∂s_j over the training samples (histograms), its bias and ∂E/∂b, and its map; an
// edge's w and ∂E/∂w.

import * as draw from "./draw.js";

export const fmt = v => (v === null || v === undefined ? "–" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
  ? v.toExponential(2) : v.toPrecision(4));

export function inspect(box, frame, pointing) {
  if (frame.node) {
    const n = frame.node;
    const title = document.createElement("p");
    const name = document.createElement("b");
    name.textContent = String(n.node);
    title.append(name, ` ${n.activation ?? "input"}` +
      (n.bias === null ? "" : ` · b = ${fmt(n.bias)}, ∂E/∂b = ${fmt(n.bias_gradient)}`));
    const parts = [title];
    if (n.formula) {   // the perceptron's sum with its weights plugged in
      const formula = document.createElement("p");
      formula.className = "formula";
      formula.textContent = n.formula;
      parts.push(formula);
    }
    const map = frame.maps?.nodes.find(m => m.name === n.node);
    if (map) {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 90;
      draw.nodeMap(canvas, map, frame.maps.r);
      parts.push(canvas);
    }
    parts.push(draw.histogram("s_j", n.s), draw.histogram("z_j", n.z), draw.histogram("δ_j = ∂E/∂s_j", n.delta));
    box.replaceChildren(...parts);
  } else if (frame.edge) {
    const e = frame.edge;
    const title = document.createElement("p");
    title.textContent = `w(${e.edge[0]} → ${e.edge[1]}) = ${fmt(e.weight)}, ∂E/∂w = ${fmt(e.gradient)}`;
    box.replaceChildren(title, draw.histogram("z_i · δ_j per sample", e.products));
  } else if (!pointing) {
    const hint = document.createElement("p");
    hint.className = "muted";
    hint.textContent = "hover over a perceptron or an edge: s_j, z_j, δ_j over the training samples, or w and ∂E/∂w";
    box.replaceChildren(hint);
  }
}
