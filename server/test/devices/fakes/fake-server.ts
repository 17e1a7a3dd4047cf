/**
 * The common part of the vendor fakes: a node:http server on 127.0.0.1 with a free port that
 * records every request, lets a test queue failures (429 with Retry-After, 5xx) for the next
 * inventory requests, and posts notifications to a receiver as the vendor would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface QueuedFailure {
  status: number;
  headers?: Record<string, string>;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Failures answered, in order, to the next inventory requests (the path test decides). */
  failures: QueuedFailure[];
  close(): Promise<void>;
}

export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export async function startFakeServer(handler: Handler, isInventory: (request: RecordedRequest) => boolean): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const failures: QueuedFailure[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      if (isInventory(request)) {
        const failure = failures.shift();
        if (failure) return json(res, failure.status, { error: 'injected' }, failure.headers);
      }
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Posts a notification the way the vendor does: JSON body, the configured credentials. */
export async function postNotification(target: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
