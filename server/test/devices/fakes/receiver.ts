/**
 * What a Palisade route does with an MDM notification, in a few lines, so the tests exercise
 * adapters over real HTTP: read the exact body, answer a handshake, verify credentials (401 or
 * 400 with the refusal code), then parse (400 on a malformed body) and keep the changes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MdmError, type MdmAdapter, type MdmDeviceChange } from '../../../src/devices/mdm/index.ts';

export interface Receiver {
  url: string;
  changes: MdmDeviceChange[];
  close(): Promise<void>;
}

export async function startReceiver(adapter: MdmAdapter): Promise<Receiver> {
  const changes: MdmDeviceChange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request = { headers: req.headers, rawBody: new Uint8Array(Buffer.concat(chunks)), query: url.searchParams };
      const handshake = adapter.handshake?.(request);
      if (handshake) {
        res.writeHead(handshake.status, { 'content-type': handshake.contentType, 'x-content-type-options': 'nosniff' });
        return res.end(handshake.body);
      }
      const verdict = adapter.verifyWebhook(request);
      if (!verdict.ok) {
        res.writeHead(verdict.code === 'body-malformed' ? 400 : 401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ type: verdict.code }));
      }
      try {
        changes.push(...adapter.parseWebhook(request.rawBody));
      } catch (error) {
        if (!(error instanceof MdmError)) throw error;
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ type: error.reason }));
      }
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mdm/v1/${adapter.vendor}/events`, changes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
