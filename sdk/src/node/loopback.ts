/**
 * Sign-in for Node tools through a loopback redirect (RFC 8252 §7.3): a one-shot HTTP server on
 * 127.0.0.1 and an ephemeral port receives the authorization response; `open` shows the URL to
 * the person (opens their browser, or a test's browser follows it).
 */
import { createServer } from 'node:http';
import type { PalisadeClient, StepUpRequest } from '../client.ts';

export interface LoopbackOptions extends StepUpRequest {
  /** Opens the authorization URL in the person's browser; the redirect arrives at the loopback server. */
  open(url: URL): Promise<void> | void;
  /** Path of the redirect URI (registered as `http://127.0.0.1/<path>`). Default `/callback`. */
  path?: string;
  params?: Record<string, string>;
  /** Hang guard: give up after this long (ms). Default 5 minutes. */
  timeoutMs?: number;
}

export async function signInWithLoopback(client: PalisadeClient, options: LoopbackOptions): Promise<void> {
  const callbackPath = options.path ?? '/callback';
  let received: (url: URL) => void = () => undefined;
  const arrived = new Promise<URL>((resolve) => (received = resolve));
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1`);
    if (url.pathname !== callbackPath) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Signed in. You can close this window.');
    received(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const redirectUri = `http://127.0.0.1:${port}${callbackPath}`;
    const url = await client.beginSignIn({ redirectUri, ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}), ...(options.acr ? { acr: options.acr } : {}), ...(options.params ? { params: options.params } : {}) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the sign-in did not come back in time')), options.timeoutMs ?? 300_000);
    });
    try {
      await options.open(url);
      const callback = await Promise.race([arrived, timeout]);
      await client.completeSignIn(new URL(`${callback.pathname}${callback.search}`, redirectUri));
    } finally {
      clearTimeout(timer);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
