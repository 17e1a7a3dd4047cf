/**
 * Problems a person meets in a browser, as a page: a browser navigating to the authorization
 * endpoint (the start page, or an app's sign-in sheet) that is over the rate limit gets a page
 * saying when to try again instead of raw problem+json. Only clients that prefer HTML by their
 * Accept header get it (browsers' navigations do); API clients, which accept JSON or anything,
 * keep RFC 9457 problem+json. The status, Retry-After and RateLimit headers are the same either
 * way.
 */
import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import type { Problem } from './problems.ts';
import { escapeHtml, page } from './html.ts';

/** Whether the client's Accept header prefers HTML over JSON (a tie goes to problem+json). */
export function prefersHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (!accept) return false;
  return new Negotiator({ headers: { accept } }).mediaType(['application/problem+json', 'application/json', 'text/html']) === 'text/html';
}

/** The problems shown as a page to a browser that prefers one. */
export function hasPage(problem: Problem): boolean {
  return problem.status === 429;
}

/**
 * The 429 page: the problem's type and detail in an error panel, and when to try again (the
 * Retry-After the response carries). A GET can simply be repeated, so it gets a link to itself
 * (the path and query of this very request, on this origin).
 */
export function problemPage(problem: Problem, request: FastifyRequest, nowMs: number): string {
  const retryAfterS = Number(problem.headers['retry-after'] ?? 0);
  const at = new Date(nowMs + retryAfterS * 1000).toISOString().slice(11, 19);
  const wait = retryAfterS === 1 ? '1 second' : `${retryAfterS} seconds`;
  const self = new URL(request.url, 'https://palisade.invalid');
  // One leading slash: "//host/…" would be a link to another site.
  const href = `/${self.pathname.replace(/^\/+/, '')}${self.search}`;
  const retry = request.method === 'GET' ? `<p><a class="button" id="retry" href="${escapeHtml(href)}">Try again</a></p>` : '<p>Go back and send it again then.</p>';
  return page(
    problem.title,
    `<section class="error-panel" role="alert">
       <p class="error-code"><code>${escapeHtml(problem.type)}</code></p>
       <p>${escapeHtml(problem.detail ?? '')}</p>
     </section>
     <p>Try again in <strong id="retry-after" data-seconds="${retryAfterS}">${escapeHtml(wait)}</strong> (after ${escapeHtml(at)} UTC).</p>
     ${retry}`,
  );
}
