/**
 * A minimal browser for end-to-end tests: follows redirects by hand, keeps cookies per host and
 * path as a browser does, submits the sign-in forms, and stops at the app's redirect URI (as a
 * mobile OS would hand the URL to the app). It trusts Palisade's development certificate and
 * nothing else.
 */
import { Agent } from 'undici';

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** RFC 6265 §5.1.4: the directory of the request path, when a cookie names no Path. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

/** RFC 6265 §5.1.4 path-match: the cookie's path is the request path or a directory of it. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class Browser {
  /**
   * By host, then by name and path: two cookies of the same name on different paths are two
   * cookies, and one of the same name and path replaces the other, as in a browser. (Palisade's
   * own OpenID Provider and the development IdP mounted at /dev-idp share the host: the
   * development IdP names its cookies apart, oauth/dev-idp.ts.)
   */
  private readonly cookies = new Map<string, Map<string, Cookie>>();
  readonly dispatcher: Agent;
  constructor(ca: string) {
    this.dispatcher = new Agent({ connect: { ca } });
  }

  /** fetch that trusts Palisade's certificate (for openid-client's customFetch, too). */
  fetch = ((url: string | URL | Request, init?: RequestInit) => fetch(url, { ...init, dispatcher: this.dispatcher } as RequestInit)) as typeof fetch;

  private cookieHeader(url: URL): string {
    // Only the cookies whose path matches, longer paths first (RFC 6265 §5.4).
    return [...(this.cookies.get(url.host) ?? new Map<string, Cookie>()).values()]
      .filter((c) => pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, response: Response): void {
    const jar = this.cookies.get(url.host) ?? new Map<string, Cookie>();
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const pathAttr = attrs.map((a) => /^\s*path\s*=\s*(\S*)\s*$/i.exec(a)?.[1]).findLast((p) => p !== undefined);
      const path = pathAttr?.startsWith('/') ? pathAttr : defaultPath(url);
      const key = `${name}\u0000${path}`;
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') jar.delete(key);
      else jar.set(key, { name, value, path });
    }
    this.cookies.set(url.host, jar);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const response = await this.fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(target), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.store(target, response);
    return response;
  }

  /**
   * Follows redirects from `start` until a Location begins with `stopAt` (returned) or a page
   * is shown (its response is returned as `page`). Sign-in forms are answered with `person`.
   */
  async follow(start: string, stopAt: string, person?: string): Promise<{ redirect?: URL; page?: { status: number; body: string; url: string } }> {
    let url = start;
    let form: Record<string, string> | undefined;
    for (let hop = 0; hop < 25; hop += 1) {
      const response = await this.request(url, form ? { form } : {});
      form = undefined;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, url);
        await response.body?.cancel();
        if (next.href.startsWith(stopAt)) return { redirect: next };
        url = next.href;
        continue;
      }
      const body = await response.text();
      const action = /<form method="post" action="([^"]*\/login\/[^"]*|[^"]*\/interaction\/[^"]+\/login)"/.exec(body);
      if (action && person) {
        url = new URL(action[1]!.replace(/&amp;/g, '&'), url).href;
        form = { person };
        continue;
      }
      return { page: { status: response.status, body, url } };
    }
    throw new Error('too many redirects');
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
