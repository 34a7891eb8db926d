// Canvas drawings: the output over the input plane with the points, a one-input curve, the loss
// curves, z_j maps, histograms and data-set thumbnails. Maps arrive as bytes (see bytes()), rows from
// the top of the plane.

import { CLASS_COLOURS, css, diverging, table, weightStyle } from "./colours.js";

const REGION = table(0.35);   // the decision picture is lightened so the points stand out
const MAP = table(0);

// Bytes arrive as base64 text from the server's JSON, or as a Uint8Array from the widget's buffers.
export function bytes(data) {
  if (typeof data !== "string") return data;
  const text = atob(data);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const scratch = document.createElement("canvas");

// Paint r x r bytes through a colour table onto `canvas`, scaled to fill it.
function paint(canvas, r, pixel) {
  scratch.width = scratch.height = r;
  const sctx = scratch.getContext("2d");
  const image = sctx.createImageData(r, r);
  for (let i = 0; i < r * r; i++) {
    const [red, green, blue] = pixel(i);
    image.data[4 * i] = red; image.data[4 * i + 1] = green; image.data[4 * i + 2] = blue; image.data[4 * i + 3] = 255;
  }
  sctx.putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

export function heat(canvas, r, base64, lookup = MAP) {
  const values = bytes(base64);
  paint(canvas, r, i => { const k = values[i] * 3; return [lookup[k], lookup[k + 1], lookup[k + 2]]; });
}

function classes(canvas, picture) {
  const k = bytes(picture.classes), sure = bytes(picture.values);
  paint(canvas, picture.r, i => {
    const c = CLASS_COLOURS[k[i] % CLASS_COLOURS.length], t = 0.25 + 0.55 * sure[i] / 255;
    return c.map(v => Math.round(255 - (255 - v) * t));
  });
}

// Data coordinates -> canvas pixels for a box ((x low, x high), (y low, y high)).
function scaler(canvas, xRange, yRange, pad = 0) {
  const w = canvas.width - 2 * pad, h = canvas.height - 2 * pad;
  return [x => pad + (x - xRange[0]) / (xRange[1] - xRange[0]) * w,
          y => pad + (1 - (y - yRange[0]) / (yRange[1] - yRange[0])) * h];
}

function pointColour(points, i, low, high) {
  if (points.label) return css(CLASS_COLOURS[points.label[i] % CLASS_COLOURS.length]);
  return css(diverging((points.y[i] - low) / ((high - low) || 1)));
}

function drawPoints(ctx, data, sx, sy, low, high, yOf) {
  const p = data.points;
  const radius = p.x.length > 600 ? 2.2 : 3.5;
  for (let i = 0; i < p.x.length; i++) {
    ctx.beginPath();
    ctx.arc(sx(p.x[i][0]), sy(yOf(i)), radius, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(p, i, low, high);
    ctx.fill();
    ctx.lineWidth = p.test[i] ? 1.5 : 0.8;
    ctx.strokeStyle = p.test[i] ? "#000" : "#fff";
    ctx.stroke();
  }
}

// The output picture of a frame, with the data's points on top.
export function picture(canvas, frame, data) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const pic = frame.picture;
  if (!pic || !data || !data.points) return;
  const [xr, yr] = data.extent;
  if (pic.kind === "heat" || pic.kind === "classes") {
    if (pic.kind === "heat") heat(canvas, pic.r, pic.values, REGION); else classes(canvas, pic);
    const [sx, sy] = scaler(canvas, xr, yr);
    drawPoints(ctx, data, sx, sy, pic.low, pic.high, i => data.points.x[i][1]);
  } else if (pic.kind === "curve") {
    const ys = pic.y.flat().concat(Array.from(data.points.y || data.points.label));
    const low = Math.min(...ys), high = Math.max(...ys), pad = 0.08 * ((high - low) || 1);
    const [sx, sy] = scaler(canvas, xr, [low - pad, high + pad], 4);
    drawPoints(ctx, data, sx, sy, low, high, i => (data.points.y || data.points.label)[i]);
    pic.y.forEach((curve, m) => {
      ctx.beginPath();
      curve.forEach((y, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, sx(pic.x[i]), sy(y)));
      ctx.strokeStyle = m ? css(CLASS_COLOURS[m % 10]) : "#222";
      ctx.lineWidth = 2;
      ctx.stroke();
    });
  } else {
    ctx.fillStyle = "#777";
    ctx.font = "13px system-ui";
    ctx.fillText(pic.why || "no picture", 12, 24);
  }
}

// Training and test loss per epoch (log scale when the losses span a decade or more).
export function lossCurves(canvas, curve) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const values = curve.train.concat(curve.test.filter(v => v !== null)).filter(v => v > 0);
  if (curve.epoch.length < 1 || !values.length) {
    ctx.fillStyle = "#999"; ctx.font = "12px system-ui"; ctx.fillText("press play", 12, 20); return;
  }
  const lo = Math.min(...values), hi = Math.max(...values);
  const log = hi / lo >= 10, f = log ? Math.log10 : (v => v);
  const pad = 26, last = curve.epoch[curve.epoch.length - 1];
  const [sx, sy] = scaler(canvas, [0, Math.max(last, 1)], [f(lo), f(hi) + (f(hi) === f(lo) ? 1 : 0)], pad);
  ctx.strokeStyle = "#eee"; ctx.fillStyle = "#777"; ctx.font = "10px system-ui"; ctx.lineWidth = 1;
  ctx.fillText(`${hi.toPrecision(3)}`, 2, pad - 6);
  ctx.fillText(`${lo.toPrecision(3)}${log ? " (log)" : ""}`, 2, canvas.height - 6);
  ctx.fillText(`epoch ${last}`, canvas.width - 70, canvas.height - 6);
  for (const [series, style, dash] of [[curve.train, "#333", []], [curve.test, "#f59322", [5, 3]]]) {
    ctx.beginPath();
    let started = false;
    series.forEach((v, i) => {
      if (v === null || !(v > 0)) return;
      (started ? ctx.lineTo : ctx.moveTo).call(ctx, sx(curve.epoch[i]), sy(f(v)));
      started = true;
    });
    ctx.setLineDash(dash); ctx.strokeStyle = style; ctx.lineWidth = 1.6; ctx.stroke();
  }
  ctx.setLineDash([]);
}

// A data set's thumbnail: its points ({x, label or y}) scaled to fill the canvas; one input: y over x.
export function thumbnail(canvas, preview) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const flat = preview.x[0].length === 1;
  const along = i => (flat ? [preview.x[i][0], preview.y[i]] : preview.x[i]);
  const points = preview.x.map((_, i) => along(i));
  const range = k => {
    const v = points.map(p => p[k]), lo = Math.min(...v), hi = Math.max(...v);
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  };
  const [sx, sy] = scaler(canvas, range(0), range(1), 4);
  const [low, high] = preview.y ? [Math.min(...preview.y), Math.max(...preview.y)] : [0, 1];
  points.forEach(([x, y], i) => {
    ctx.beginPath();
    ctx.arc(sx(x), sy(y), 1.8, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(preview, i, low, high);
    ctx.fill();
  });
}

// One perceptron's z_j: a map over the plane (two inputs) or a curve (one input).
export function nodeMap(canvas, map, pointsPerSide) {
  if (typeof map.values === "string" || map.values instanceof Uint8Array) {
    heat(canvas, pointsPerSide, map.values);
    return;
  }
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const [sx, sy] = scaler(canvas, [0, map.values.length - 1], [map.low, map.high], 3);
  ctx.beginPath();
  map.values.forEach((z, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, sx(i), sy(z)));
  ctx.strokeStyle = "#0877bd"; ctx.lineWidth = 1.5; ctx.stroke();
}

// A histogram of {counts, low, high, mean} with its title, as a small canvas element.
export function histogram(title, h) {
  const box = document.createElement("div");
  box.className = "hist";
  const canvas = document.createElement("canvas");
  canvas.width = 150; canvas.height = 60;
  const ctx = canvas.getContext("2d");
  const top = Math.max(...h.counts, 1), w = canvas.width / h.counts.length;
  h.counts.forEach((c, i) => {
    const centre = h.low + (i + 0.5) * (h.high - h.low) / h.counts.length;
    ctx.fillStyle = weightStyle(centre, Math.max(Math.abs(h.low), Math.abs(h.high))).colour;
    ctx.fillRect(i * w + 0.5, canvas.height * (1 - c / top), w - 1, canvas.height * c / top);
  });
  const label = document.createElement("span");
  label.textContent = `${title}: ${h.low.toPrecision(3)} … ${h.high.toPrecision(3)}, mean ${h.mean.toPrecision(3)}`;
  box.append(label, canvas);
  return box;
}
