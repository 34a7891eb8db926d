// Colours as dagnet's pictures draw them: orange for negative weights and low values, blue for
// positive and high, a neutral grey between; classes 0 and 1 orange and blue, then more.

export const ORANGE = [245, 147, 34], NEUTRAL = [232, 234, 235], BLUE = [8, 119, 189];
export const CLASS_COLOURS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"].map(hex => [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)));

function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }

// t in [0, 1] -> [r, g, b]: orange, neutral, blue.
export function diverging(t) {
  t = Math.min(1, Math.max(0, t));
  return t < 0.5 ? mix(ORANGE, NEUTRAL, t * 2) : mix(NEUTRAL, BLUE, (t - 0.5) * 2);
}

// 256 colours for bytes 0..255, lightened towards white by `light` (0: none).
export function table(light = 0) {
  const out = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const c = mix(diverging(k / 255), [255, 255, 255], light);
    out.set(c, k * 3);
  }
  return out;
}

export function css(rgb) { return `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`; }

// Edges fade to a grey that still shows on white (a new edge at weight 0 is seen), not to NEUTRAL.
export const EDGE_GREY = [150, 155, 160];

// A weight's colour and width, scaled as `dagnet draw` scales them, by the largest |w| shown
// (widths in pixels, at least 1.5 and grey at 0, so that a new, small weight is still seen).
export function weightStyle(w, largest) {
  const scale = largest || 1, t = Math.max(-1, Math.min(1, w / scale));
  const colour = t < 0 ? mix(EDGE_GREY, ORANGE, -t) : mix(EDGE_GREY, BLUE, t);
  return { colour: css(colour), width: 1.5 + 3.5 * Math.abs(t) };
}
