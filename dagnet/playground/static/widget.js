// The notebook widget (dagnet.widget.Playground): the playground's own controls (playground.js) in a
// shadow root of the cell's output, so that neither its ids nor its style meet the notebook's, talking
// to the kernel over Jupyter messages (channel.js). `markup` and `style` are the page's (index.html's
// body, style.css made the widget's own, widget.css), passed in by the bundle dagnet/widget/bundle.py makes.

import { channelApi } from "./channel.js";
import { createPlayground } from "./playground.js";

export function render({ model, el, markup, style }) {
  const root = el.attachShadow({ mode: "open" });
  root.innerHTML = `<style>${style}</style><div class="page">${markup}</div>`;
  const api = channelApi(model);
  const playground = createPlayground(root, api, { framesInFlight: 3 });
  el.classList.add("dagnet-playground");
  el.playground = playground.page;    // for the curious (and the browser tests): page.stats, page.state
  api.onEvent(() => playground.markDirty());   // the network changed in Python: the next frame shows it
  playground.start().catch(err => playground.message(err.message));
  return () => {
    playground.stop();
    api.dispose();
  };
}
