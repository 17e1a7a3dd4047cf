/**
 * Real Chromium for the browser tests (Playwright driving the Debian package): where it is, when
 * its absence skips a test, and the one set of launch flags every browser test uses.
 *
 * Set PALISADE_TEST_CHROMIUM to use another binary; PALISADE_REQUIRE_BROWSER=1 turns a missing
 * browser into a failure instead of a skip (CI sets it).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadTls } from '../../src/http/tls.ts';

export const CHROMIUM = process.env.PALISADE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** The `skip` reason of a browser test: false when Chromium is there (or required). */
export const chromiumMissing: string | false =
  !existsSync(CHROMIUM) && !process.env.PALISADE_REQUIRE_BROWSER ? `Chromium not found at ${CHROMIUM}: apt-get install -y chromium to run the browser tests` : false;

export interface ChromiumOptions {
  /**
   * The server's certificate pin (`sha256/…`, from the banner): Chromium trusts exactly this
   * run's self-signed certificate, and no other certificate error is ignored. Several when the
   * test runs several servers with certificates of their own.
   */
  pin?: string | string[];
  /** Resolve `localhost` to 127.0.0.1 (a page served on http://localhost next to the server). */
  localhostToLoopback?: boolean;
}

/**
 * The launch flags: no sandbox (tests run as root in containers), no GPU, no QUIC (the server
 * speaks HTTP/1.1 and 2 over TLS), and nothing Chromium would fetch on its own (first-run pages,
 * component updates, sync, background networking) that could slow or disturb a test.
 * Playwright adds `--headless` itself.
 */
export function chromiumArgs(options: ChromiumOptions = {}): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(options.localhostToLoopback ? ['--host-resolver-rules=MAP localhost 127.0.0.1'] : []),
    ...(options.pin ? [`--ignore-certificate-errors-spki-list=${[options.pin].flat().map((pin) => pin.replace(/^sha256\//, '')).join(',')}`] : []),
  ];
}

/** Chromium launched with `chromiumArgs(options)`. */
export function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(options) });
}

/**
 * One development certificate for every server a browser test file starts, made before any of
 * them, so that the file launches one Chromium (with this pin) up front, at the same time as its
 * first server starts, instead of one per server once its banner named the pin. Chromium still
 * trusts exactly this certificate and nothing else. Palisade makes its development certificate
 * only when its data folder has none (http/tls.ts), so `install(dataDir)` before the start is
 * all it takes: the server loads this one, and its banner announces this pin (tests assert it).
 * Made the way Palisade makes its own (loadTls into a folder of its own); `remove()` deletes it.
 */
export interface SharedCertificate {
  pin: string;
  /** The certificate in PEM, for Node clients (undici's `connect.ca`). */
  ca: string;
  /** Copies the certificate, its key and the development backup key into `dataDir/tls`. */
  install(dataDir: string): void;
  remove(): void;
}

export async function sharedDevCertificate(): Promise<SharedCertificate> {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-browser-cert-'));
  const material = await loadTls({ dataDir: dir, hostnames: [] });
  return {
    pin: material.pin,
    ca: readFileSync(path.join(dir, 'tls', 'dev-cert.pem'), 'utf8'),
    install: (dataDir) => cpSync(path.join(dir, 'tls'), path.join(dataDir, 'tls'), { recursive: true }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
