/**
 * The shell of the few HTML pages Palisade shows a person (the start page, problem pages, the
 * authorization server's pages): every value escaped, no inline script, so the strict
 * Content-Security-Policy holds on them.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Palisade</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/palisade.css"></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}
