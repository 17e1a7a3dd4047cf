/**
 * The few HTML pages the authorization server shows a person. Every value is escaped; pages
 * carry no inline script, so the strict Content-Security-Policy holds on them.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Palisade</title><link rel="stylesheet" href="/assets/palisade.css"></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export async function renderErrorPage(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.body = page(
    'Sign-in could not continue',
    `<p class="error"><code>${escapeHtml(out.error)}</code></p><p>${escapeHtml(out.error_description ?? '')}</p>
     <p>Return to the app and try again. If this keeps happening, tell your IT team the time it happened.</p>`,
  );
}

export async function renderLogoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.type = 'html';
  // oidc-provider's form carries the xsrf token; the person confirms with the button.
  ctx.body = page(
    'Sign out of Palisade?',
    `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
  );
}

export async function renderLoggedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<p>You are signed out of Palisade. You can close this window.</p>');
}

export const STYLESHEET = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1c1f24}
main{max-width:44rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.5rem;margin-top:0}button,.button{font:inherit;padding:.6rem 1.1rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;display:inline-block;margin:.25rem .25rem .25rem 0}
button.secondary{background:#e5e7eb;color:#111}pre{background:#0f172a;color:#e2e8f0;padding:1rem;border-radius:6px;overflow:auto;font-size:.85rem}pre:empty{display:none}
.error code{color:#b91c1c}.users{display:grid;gap:.5rem}.users button{text-align:left;width:100%}.muted{color:#6b7280;font-size:.9rem}
.banner{background:#fef3c7;border:1px solid #f59e0b;padding:.5rem 1rem;border-radius:6px}`;
