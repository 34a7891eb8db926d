// Keeping what you made: downloads, and a link that carries the whole saved state in itself
// (compressed by the browser, so nothing is stored on any server).

import { api } from "./api.js";

export function download(href, name) {
  const a = document.createElement("a");
  a.href = href; a.download = name;
  document.body.append(a); a.click(); a.remove();
}

function toBase64Url(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function deflate(bytes, compress) {
  const stream = new Blob([bytes]).stream().pipeThrough(compress ? new CompressionStream("deflate-raw")
                                                                 : new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// A link to this page that reopens session `sid` as it is now.
export async function linkTo(sid) {
  const saved = await api.saved(sid);
  const packed = await deflate(new TextEncoder().encode(JSON.stringify(saved)), true);
  return `${location.origin}/#s=${toBase64Url(packed)}`;
}

// The saved state a link opened this page with, or null.
export async function savedFromLink() {
  if (!location.hash.startsWith("#s=")) return null;
  const text = atob(location.hash.slice(3).replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(text, c => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(await deflate(bytes, false)));
}
