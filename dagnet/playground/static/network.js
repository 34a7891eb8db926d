// The network drawn by generation: nodes as boxes holding their z_j maps, edges coloured and sized by
// weight (skip edges as dashed arcs), a bias square at each perceptron's lower left. It reports
// hovers and clicks to the page, which decides what they do.

import { css, diverging, weightStyle } from "./colours.js";
import { nodeMap } from "./draw.js";

const SVG = "http://www.w3.org/2000/svg";

export class NetworkView {
  constructor(container, { onHover, onClick, onMenu, labelOf = String }) {
    this.container = container;
    this.svg = container.querySelector("#edges");
    this.layer = container.querySelector("#nodes");
    this.onHover = onHover;
    this.onClick = onClick;
    this.onMenu = onMenu;
    this.labelOf = labelOf;
    this.nodes = new Map();    // key -> {name, element, canvas, bias, x, y}
    this.edges = [];           // {source, target, path, hit}
    container.addEventListener("click", event => {
      if (event.target === container || event.target === this.svg) this.onClick(null);
    });
    // A new width (a phone turned, a window or a cell resized): the same network laid out again.
    new ResizeObserver(() => {
      if (this.state && this.container.clientWidth && this.container.clientWidth !== this.width) this.relayout();
    }).observe(container);
  }

  static key(name) { return JSON.stringify(name); }

  relayout() {
    this.show(this.state, false);
    this.select(this.selection);
    if (this.frame) this.update(this.frame);
  }

  // Lay out and build the elements of a new structure (the session's state); edges it did not have
  // before are marked fresh for a moment, so that one just added is seen even at weight 0.
  show(state, marking = true) {
    const before = new Set(this.edges.map(e => NetworkView.key([e.source, e.target])));
    const marked = marking && this.edges.length > 0;
    this.state = state;
    this.width = this.container.clientWidth;
    this.layer.replaceChildren();
    this.svg.replaceChildren();
    this.nodes.clear();
    const columns = Math.max(...state.nodes.map(n => n.column)) + 1;
    const tallest = Math.max(...state.nodes.map(n => Math.abs(n.height))) * 2 + 1;
    // room for a map of 44 px and its label per node, up to a point; past it, small dots
    this.container.style.height = `${Math.min(Math.max(340, 40 + 62 * tallest), 760)}px`;
    const width = this.container.clientWidth, height = this.container.clientHeight;
    const rowGap = Math.min(62, (height - 40) / Math.max(tallest, 1));
    const small = state.nodes.length - state.inputs.length > 64 || rowGap < 56;
    const colGap = (width - 90) / Math.max(columns - 1, 1);
    for (const node of state.nodes) {
      const x = 45 + node.column * colGap, y = height / 2 - node.height * rowGap;
      const element = document.createElement("div");
      element.className = `node ${node.role}${small ? " small" : ""}`;
      element.style.left = `${x}px`;
      element.style.top = `${y}px`;
      element.title = `${node.name}${node.activation ? ` (${node.activation})` : " (input)"}`;
      element.dataset.name = String(node.name);
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 44;
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = this.labelOf(node.name);
      element.append(canvas, label);
      let bias = null;
      if (state.biases.some(b => b === node.name)) {
        bias = document.createElement("span");
        bias.className = "bias";
        element.append(bias);
      }
      element.addEventListener("mouseenter", () => this.onHover({ node: node.name }));
      element.addEventListener("mouseleave", () => this.onHover(null));
      element.addEventListener("click", event => { event.stopPropagation(); this.onClick({ node: node.name }); });
      element.addEventListener("contextmenu", event => {   // the node's menu: select it, open its activations
        event.preventDefault();
        this.onMenu({ node: node.name });
      });
      this.layer.append(element);
      this.nodes.set(NetworkView.key(node.name), { ...node, element, canvas, bias, x, y, small });
    }
    const middle = height / 2;
    this.edges = state.edges.map((edge, index) => {
      const a = this.nodes.get(NetworkView.key(edge.source)), b = this.nodes.get(NetworkView.key(edge.target));
      const path = document.createElementNS(SVG, "path");
      const hit = document.createElementNS(SVG, "path");
      const [x0, y0, x1, y1] = [a.x, a.y, b.x, b.y];
      let d = `M${x0},${y0} L${x1},${y1}`;
      if (edge.skip) {   // bow away from the middle so the arc clears the columns it jumps
        const bow = (y0 + y1) / 2 >= middle ? 1 : -1;
        const cy = (y0 + y1) / 2 + bow * (40 + 0.15 * Math.abs(x1 - x0));
        d = `M${x0},${y0} Q${(x0 + x1) / 2},${cy} ${x1},${y1}`;
        path.setAttribute("stroke-dasharray", "6 3");
      }
      for (const p of [hit, path]) p.setAttribute("d", d);
      hit.setAttribute("class", "hit");
      hit.dataset.edge = index;
      hit.addEventListener("mouseenter", () => this.onHover({ edge: [edge.source, edge.target] }));
      hit.addEventListener("mouseleave", () => this.onHover(null));
      hit.addEventListener("click", event => {
        event.stopPropagation();
        this.onClick({ edge: [edge.source, edge.target] });
      });
      this.svg.append(hit, path);
      if (marked && !before.has(NetworkView.key([edge.source, edge.target]))) path.classList.add("fresh");
      return { ...edge, path, hit };
    });
  }

  // Mark the selected node or edge.
  select(selection) {
    this.selection = selection;
    for (const n of this.nodes.values())
      n.element.classList.toggle("selected", !!selection && "node" in selection && selection.node === n.name);
    for (const e of this.edges)
      e.path.classList.toggle("selected", !!selection?.edge && selection.edge[0] === e.source &&
                                          selection.edge[1] === e.target);
  }

  // Live values of a frame: weights as colour and width, biases, z_j maps.
  update(frame) {
    if (!this.state || frame.version !== this.state.version) return;
    this.frame = frame;
    const largest = Math.max(1e-9, ...frame.weights.map(Math.abs), ...frame.biases.map(Math.abs));
    frame.weights.forEach((w, i) => {
      const style = weightStyle(w, largest), path = this.edges[i].path;
      path.setAttribute("stroke", style.colour);
      path.setAttribute("stroke-width", style.width.toFixed(2));
    });
    this.state.biases.forEach((name, i) => {
      const node = this.nodes.get(NetworkView.key(name));
      if (node?.bias) node.bias.style.background = css(diverging(0.5 + 0.5 * frame.biases[i] / largest));
    });
    if (!frame.maps) return;
    for (const map of frame.maps.nodes) {
      const node = this.nodes.get(NetworkView.key(map.name));
      if (node && !node.small) nodeMap(node.canvas, map, frame.maps.r);
    }
  }
}
