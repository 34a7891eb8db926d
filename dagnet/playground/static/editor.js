// The topology text: line numbers, validation as you type (dagnet's own errors, at the line they
// name), and apply on the button or Ctrl+Enter.

export class Editor {
  constructor({ textarea, gutter, status, apply, validate, onApply }) {
    Object.assign(this, { textarea, gutter, status, applyButton: apply, validate, onApply });
    this.timer = null;
    this.checked = 0;
    textarea.addEventListener("input", () => { this.numberLines(); this.schedule(); });
    textarea.addEventListener("scroll", () => { gutter.scrollTop = textarea.scrollTop; });
    textarea.addEventListener("keydown", event => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); this.apply(); }
      if (event.key === "Tab") {   // YAML indents with spaces only
        event.preventDefault();
        textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
        this.schedule();
      }
    });
    apply.addEventListener("click", () => this.apply());
  }

  // Show `text` (a new structure) unless the person is in the middle of typing their own.
  set(text) {
    this.textarea.value = text;
    this.numberLines();
    this.mark(null, "applied");
  }

  numberLines(bad = this.badLine) {
    const lines = this.textarea.value.split("\n").length;
    this.gutter.replaceChildren();
    for (let k = 1; k <= lines; k++) {
      const line = document.createElement("span");
      line.textContent = `${k}\n`;
      if (k === bad) line.className = "bad";
      this.gutter.append(line);
    }
  }

  // Show an error (with its line) or a note; the apply button works on valid text only.
  mark(error, note = "") {
    this.badLine = error?.line ?? null;
    this.numberLines();
    this.status.className = error ? "error" : "muted";
    this.status.textContent = error ? (error.line ? `line ${error.line}: ` : "") + error.message : note;
    this.applyButton.disabled = !!error;
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), 250);
  }

  async check() {
    const ticket = ++this.checked, text = this.textarea.value;
    try {
      const result = await this.validate(text);
      if (ticket !== this.checked) return;   // a later keystroke has its own check under way
      if (result.ok) this.mark(null, `valid: ${result.nodes} nodes, ${result.edges} edges, ` +
                                     `${result.parameters} parameters (apply with Ctrl+Enter)`);
      else this.mark({ message: result.error, line: result.line });
    } catch (err) {
      if (ticket === this.checked) this.mark({ message: err.message, line: err.line });
    }
  }

  async apply() {
    clearTimeout(this.timer);
    try {
      await this.onApply(this.textarea.value);
      this.mark(null, "applied");
    } catch (err) {
      this.mark({ message: err.message, line: err.line });
    }
  }
}
