// The playground page: the shared controls (playground.js) over the server's HTTP routes (api.js), one
// session per tab, and what only a page has: files to open and download, a link, the session's end.

import { api } from "./api.js";
import { download, linkTo, savedFromLink } from "./keep.js";
import { createPlayground } from "./playground.js";

const $ = id => document.getElementById(id);
const playground = createPlayground(document, api, { onOpen: links });
const page = playground.page;
window.playground = page;   // for the curious (and the browser test): page.stats.fps, page.state

// -- keeping what you made ------------------------------------------------------------------------

function links() {
  $("download-yaml").href = `/api/sessions/${page.sid}/trained.yaml`;
  $("download-saved").href = `/api/sessions/${page.sid}/saved.json`;
}

$("download-pictures").addEventListener("click", async () => {
  download($("picture").toDataURL("image/png"), "output.png");
  download($("curve").toDataURL("image/png"), "loss.png");
  const response = await fetch(`/api/sessions/${page.sid}/network.png`);
  if (!response.ok) {   // without matplotlib the server says which extra to install
    playground.message((await response.json().catch(() => ({}))).error || `network.png: error ${response.status}`);
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  download(url, "network.png");
  setTimeout(() => URL.revokeObjectURL(url), 10000);
});

$("copy-link").addEventListener("click", async () => {
  try {
    const link = await linkTo(page.sid);
    $("link").value = link;
    $("link").select();
    await navigator.clipboard?.writeText(link).catch(() => {});
    playground.message(`a link of ${link.length} characters that reopens this state (on any running playground)`, "info");
  } catch (err) {
    playground.message(err.message);
  }
});

$("open-saved").addEventListener("change", async event => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  try {
    await playground.open(JSON.parse(await file.text()));
    playground.message(`reopened ${file.name}`, "info");
  } catch (err) {
    playground.message(`${file.name}: ${err.message}`);
  }
});

$("open-topology").addEventListener("change", async event => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  const text = await file.text();
  playground.editor.set(text);
  await playground.editor.apply();
  playground.message(`opened ${file.name}`, "info");
});

window.addEventListener("pagehide", () => {
  if (page.sid) fetch(`/api/sessions/${page.sid}`, { method: "DELETE", keepalive: true }).catch(() => {});
});

// -- start --------------------------------------------------------------------------------------

async function start() {
  let saved = null;
  try {
    saved = await savedFromLink();
  } catch (err) {
    playground.message(`the link could not be read (${err.message}); starting afresh`);
  }
  await playground.start(saved);
  if (saved) history.replaceState(null, "", location.pathname);
}

start().catch(err => playground.message(err.message));
