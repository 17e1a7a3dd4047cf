/**
 * The few HTML pages the authorization server shows a person. Every value is escaped; pages
 * carry no inline script, so the strict Content-Security-Policy holds on them.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, page } from '../http/index.ts';

export { escapeHtml, page };

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
.banner{background:#fef3c7;border:1px solid #f59e0b;padding:.5rem 1rem;border-radius:6px}
[hidden]{display:none!important}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .5rem}
.error-panel{background:#fef2f2;border:1px solid #fca5a5;border-left:4px solid #b91c1c;color:#7f1d1d;padding:.75rem 1rem;border-radius:6px;margin:1rem 0}
.error-panel h2{color:#b91c1c;margin:0 0 .5rem}.error-panel p{margin:.25rem 0;overflow-wrap:anywhere}
.error-code code{background:#fee2e2;color:#b91c1c;font-weight:600;padding:.1rem .4rem;border-radius:4px}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.35rem 1rem;margin:0}.facts dt{color:#4b5563}.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.chip,.permission{display:inline-block;background:#e0e7ff;color:#1e3a8a;border-radius:999px;padding:.05rem .6rem;margin:0 .3rem .3rem 0;font-size:.85rem}
.permissions,.calls{list-style:none;padding:0;margin:0}.permission code{font-size:.85rem}.badge{margin-left:.4rem;background:#fde68a;color:#78350f;border-radius:4px;padding:0 .3rem;font-size:.75rem}
.call{display:flex;flex-wrap:wrap;gap:.25rem .6rem;align-items:baseline;padding:.4rem 0;border-bottom:1px solid #e5e7eb}.call code{overflow-wrap:anywhere}
.status{font-weight:600;border-radius:4px;padding:0 .4rem}.status.ok{background:#dcfce7;color:#166534}.status.failed{background:#fee2e2;color:#b91c1c}
details{margin:1rem 0}summary{cursor:pointer;font-weight:600;color:#1d4ed8}button{max-width:100%}
@media (max-width:600px){main{margin:0;padding:1rem;border-radius:0;box-shadow:none}h1{font-size:1.3rem}.facts{grid-template-columns:minmax(0,1fr);gap:0}.facts dt{margin-top:.5rem;font-size:.85rem}}`;

/**
 * Palisade's icon: a shield with three palisade stakes. Served at /favicon.svg (pages link to it)
 * and at /favicon.ico, which browsers ask for on pages without a link (JSON answers).
 */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#1d4ed8" d="M16 1.5 3.5 6v9.2c0 7.7 5.3 13.2 12.5 15.3 7.2-2.1 12.5-7.6 12.5-15.3V6z"/><path fill="#fff" d="M9.5 12.5 11.25 9 13 12.5V22H9.5zm4.75 0L16 9l1.75 3.5V24h-3.5zm4.75 0L20.75 9l1.75 3.5V22H19z"/></svg>`;
