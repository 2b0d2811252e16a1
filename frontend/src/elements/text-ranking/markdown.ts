/**
 * A small Markdown subset for model responses, parsed into plain data and drawn with Lit templates:
 * every piece of text goes through a text binding, so nothing in a response can become markup or
 * script (no innerHTML anywhere). Blocks: fenced code, headings, bullet and numbered lists, quotes,
 * paragraphs (single line breaks kept). Inline: `code`, **bold**, *italic* / _italic_ (never inside
 * a word or a `__dunder__` name), and links
 * shown as their text (the address in a tooltip; the task frame may not navigate).
 */
import { html, nothing, type TemplateResult } from "lit";

export type Inline =
  | { kind: "text"; text: string }
  | { kind: "code"; text: string }
  | { kind: "strong"; children: Inline[] }
  | { kind: "em"; children: Inline[] }
  | { kind: "link"; children: Inline[]; href: string }
  | { kind: "br" };

export type Block =
  | { kind: "code"; lang: string; text: string }
  | { kind: "heading"; level: number; children: Inline[] }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "quote"; children: Inline[] }
  | { kind: "paragraph"; children: Inline[] };

// no __bold__: it would eat Python's __dunder__ names, common in model answers about code
const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*(.+?)\*\*|\*(?!\s)(.+?)\*|\b_(?![\s_])([^_]+?)_\b|\[([^\]]+)\]\(([^)\s]+)\)/;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      pushText(out, rest);
      break;
    }
    if (m.index > 0) pushText(out, rest.slice(0, m.index));
    if (m[1] !== undefined) out.push({ kind: "code", text: m[2]! });
    else if (m[3] !== undefined) out.push({ kind: "strong", children: parseInline(m[3]) });
    else if (m[4] !== undefined || m[5] !== undefined) out.push({ kind: "em", children: parseInline(m[4] ?? m[5]!) });
    else out.push({ kind: "link", children: parseInline(m[6]!), href: m[7]! });
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function pushText(out: Inline[], text: string): void {
  text.split("\n").forEach((part, i) => {
    if (i > 0) out.push({ kind: "br" });
    if (part) out.push({ kind: "text", text: part });
  });
}

const FENCE = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++; // the closing fence (or the end)
      blocks.push({ kind: "code", lang: fence[2] ?? "", text: body.join("\n") });
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: "heading", level: heading[1]!.length, children: parseInline(heading[2]!) });
      i++;
      continue;
    }
    const listKind = BULLET.test(line) ? BULLET : NUMBERED.test(line) ? NUMBERED : null;
    if (listKind) {
      const items: Inline[][] = [];
      while (i < lines.length && listKind.test(lines[i]!)) items.push(parseInline(listKind.exec(lines[i++]!)![1]!));
      blocks.push({ kind: "list", ordered: listKind === NUMBERED, items });
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(QUOTE.exec(lines[i++]!)![1]!);
      blocks.push({ kind: "quote", children: parseInline(body.join("\n")) });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !FENCE.test(lines[i]!) && !HEADING.test(lines[i]!)
      && !BULLET.test(lines[i]!) && !NUMBERED.test(lines[i]!) && !QUOTE.test(lines[i]!)) para.push(lines[i++]!);
    blocks.push({ kind: "paragraph", children: parseInline(para.join("\n")) });
  }
  return blocks;
}

function inline(parts: Inline[]): TemplateResult[] {
  return parts.map((p) => {
    switch (p.kind) {
      case "text": return html`${p.text}`;
      case "code": return html`<code>${p.text}</code>`;
      case "strong": return html`<strong>${inline(p.children)}</strong>`;
      case "em": return html`<em>${inline(p.children)}</em>`;
      case "link": return html`<span class="link" title=${p.href}>${inline(p.children)}</span>`;
      case "br": return html`<br>`;
    }
  });
}

/** The blocks as Lit templates (text bindings only). */
export function renderMarkdown(source: string): TemplateResult[] {
  return parseMarkdown(source).map((b) => {
    switch (b.kind) {
      case "code": return html`<pre><code data-lang=${b.lang || nothing}>${b.text}</code></pre>`;
      case "heading": return html`<p class="h h${b.level}" role="heading" aria-level=${b.level}>${inline(b.children)}</p>`;
      case "list": return b.ordered ? html`<ol>${b.items.map((it) => html`<li>${inline(it)}</li>`)}</ol>`
        : html`<ul>${b.items.map((it) => html`<li>${inline(it)}</li>`)}</ul>`;
      case "quote": return html`<blockquote>${inline(b.children)}</blockquote>`;
      case "paragraph": return html`<p>${inline(b.children)}</p>`;
    }
  });
}
