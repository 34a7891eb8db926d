// The notebook widget's calls to the kernel: the same calls as api.js, carried by Jupyter messages
// (anywidget's model.send; replies come back as "msg:custom" messages), with arrays as binary buffers
// that unpack() turns into typed arrays (dagnet/playground/wire.py packs them).

import { ApiError } from "./api.js";

const TYPES = { uint8: Uint8Array, int32: Int32Array, float64: Float64Array };
const ANSWER_SECONDS = 60;

// A typed array (a 2-D array: one typed row per sample) of the buffer `spec` names.
function typed(spec, buffer) {
  const view = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : buffer;
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);   // aligned for Float64
  const flat = new TYPES[spec.dtype](bytes);
  if (spec.shape.length < 2) return flat;
  const width = spec.shape[1];
  return Array.from({ length: spec.shape[0] }, (_, i) => flat.subarray(i * width, (i + 1) * width));
}

// `value` with every {"$buffer": k, dtype, shape} replaced by the typed array of buffers[k].
export function unpack(value, buffers) {
  if (Array.isArray(value)) return value.map(v => unpack(v, buffers));
  if (value === null || typeof value !== "object") return value;
  if (typeof value.$buffer === "number") return typed(value, buffers[value.$buffer]);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unpack(v, buffers)]));
}

// The api of a widget's model: each call a message {request, call, args}, answered by {reply, value}
// or {reply, error, line}; {event} messages from the kernel go to the listeners of onEvent.
export function channelApi(model) {
  let next = 0;
  const waiting = new Map(), listeners = [];
  function received(message, buffers) {
    if (message.reply !== undefined) {
      const caller = waiting.get(message.reply);
      if (!caller) return;
      waiting.delete(message.reply);
      if (message.error) caller.reject(new ApiError(message.error, message.line ?? null, 400));
      else caller.resolve(unpack(message.value, buffers || []));
    } else if (message.event) {
      for (const listener of listeners) listener(message.event);
    }
  }
  model.on("msg:custom", received);
  // A request the kernel does not answer in time (it is running a long cell, or was restarted) fails, so
  // that the frames asked for later are not stuck behind it; a late answer is then ignored.
  const call = (name, args = {}) => new Promise((resolve, reject) => {
    const id = ++next;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new ApiError(`the kernel did not answer for ${ANSWER_SECONDS} s (busy with a cell, or restarted?)`,
                          null, 0));
    }, ANSWER_SECONDS * 1000);
    waiting.set(id, { resolve: v => { clearTimeout(timer); resolve(v); },
                      reject: e => { clearTimeout(timer); reject(e); } });
    model.send({ request: id, call: name, args });
  });
  return {
    info: () => call("info"),
    validate: (text) => call("validate", { text }),
    create: (saved) => call("create", { saved }),
    state: () => call("state"),
    close: async () => ({}),          // the session is the widget's: it ends with the widget
    topology: (sid, text) => call("topology", { text }),
    edit: (sid, op, args) => call("edit", { op, ...args }),
    data: (sid, settings) => call("data", settings),
    csv: (sid, text, name, fraction) => call("csv", { text, name, test_fraction: fraction }),
    training: (sid, settings) => call("training", settings),
    control: (sid, action) => call("control", { action }),
    frame: (sid, request) => call("frame", request),
    onEvent: (listener) => listeners.push(listener),
    dispose() {
      model.off("msg:custom", received);
      for (const caller of waiting.values()) caller.reject(new ApiError("the widget was closed", null, 0));
      waiting.clear();
    },
  };
}
