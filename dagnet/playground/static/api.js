// The server's JSON routes (see dagnet/playground/server.py). A refused request throws an Error
// carrying the server's message and, for topology text, the line it names. The notebook widget's
// channel.js offers the same calls over Jupyter messages.

export class ApiError extends Error {
  constructor(message, line, status) { super(message); this.line = line; this.status = status; }
}

async function call(method, path, body, raw = false) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = raw ? body : JSON.stringify(body);
    init.headers["Content-Type"] = raw ? "text/csv" : "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError("the playground server does not answer (was it stopped?)", null, 0);
  }
  const data = await response.json().catch(() => ({ error: `bad reply (${response.status})` }));
  if (!response.ok) throw new ApiError(data.error || `error ${response.status}`, data.line, response.status);
  return data;
}

export const api = {
  info: () => call("GET", "/api/info"),
  validate: (text) => call("POST", "/api/validate", { text }),
  create: (saved) => call("POST", "/api/sessions", saved ? { saved } : {}),
  state: (sid) => call("GET", `/api/sessions/${sid}`),
  close: (sid) => call("DELETE", `/api/sessions/${sid}`),
  topology: (sid, text) => call("POST", `/api/sessions/${sid}/topology`, { text }),
  edit: (sid, op, args) => call("POST", `/api/sessions/${sid}/edit`, { op, ...args }),
  data: (sid, settings) => call("POST", `/api/sessions/${sid}/data`, settings),
  csv: (sid, text, name, fraction) =>
    call("POST", `/api/sessions/${sid}/csv?name=${encodeURIComponent(name)}&test_fraction=${fraction}`, text, true),
  training: (sid, settings) => call("POST", `/api/sessions/${sid}/training`, settings),
  control: (sid, action) => call("POST", `/api/sessions/${sid}/control`, { action }),
  frame: (sid, request) => call("POST", `/api/sessions/${sid}/frame`, request),
  saved: (sid) => call("GET", `/api/sessions/${sid}/saved.json`),
};
