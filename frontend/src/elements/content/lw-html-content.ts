import DOMPurify from "dompurify";

/**
 * `<lw-html-content>escaped HTML</lw-html-content>`: shows an item's HTML, sanitised in the browser.
 *
 * The template puts the HTML in as TEXT (Liquid escapes it; the server's `sanitize_html` filter has
 * already cleaned it with nh3), so the frame's parser never sees a tag of it. This element reads that
 * text once, sanitises it with DOMPurify and only then turns it into nodes: scripts, event-handler
 * attributes, `javascript:` links, forms and frames never reach the document, whatever the server
 * let through. Sanitised content is light DOM, so the frame's base styles (images fit the width)
 * and a template's own styles apply to it.
 */
export class LwHtmlContent extends HTMLElement {
  private _source: string | null = null;
  private readonly _root = this.attachShadow({ mode: "open" });

  /** The unsanitised HTML this element was given (its text, or the `html` property). */
  get html(): string {
    return this._source ?? "";
  }

  set html(value: string) {
    this._source = value;
    this._render();
  }

  connectedCallback(): void {
    if (this._source !== null) return;
    // elements.js runs in the frame's <head>: when the parser meets this tag its text is not there
    // yet, so it is read once the document is parsed (and shown only then: no raw markup flashes)
    const read = (): void => {
      if (this._source !== null) return;
      this._source = this.textContent ?? "";
      this._render();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", read, { once: true });
    else read();
  }

  private _render(): void {
    const fragment = DOMPurify.sanitize(this._source ?? "", {
      RETURN_DOM_FRAGMENT: true,
      FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
      FORBID_ATTR: ["style", "name", "id"],
    });
    // links open outside the sandboxed frame, never inside it
    for (const a of Array.from(fragment.querySelectorAll("a[href]"))) {
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
    this.replaceChildren(fragment);
    if (!this._root.firstChild) {
      this._root.adoptedStyleSheets = [hostBlock()];
      this._root.append(document.createElement("slot"));
    }
  }
}

let blockSheet: CSSStyleSheet | null = null;

function hostBlock(): CSSStyleSheet {
  if (!blockSheet) {
    blockSheet = new CSSStyleSheet();
    blockSheet.replaceSync(":host{display:block;overflow-wrap:anywhere}");
  }
  return blockSheet;
}

/**
 * `<lw-text-content>` wraps an item's plain text: line breaks and runs of spaces are kept, long
 * words wrap, and the text stays selectable. (The classifier's target region scrolls long texts.)
 */
export class LwTextContent extends HTMLElement {
  private static _sheet: CSSStyleSheet | null = null;

  connectedCallback(): void {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    LwTextContent._sheet ??= (() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(":host{display:block;white-space:pre-wrap;overflow-wrap:anywhere;tab-size:4}");
      return sheet;
    })();
    root.adoptedStyleSheets = [LwTextContent._sheet];
    root.append(document.createElement("slot"));
  }
}
