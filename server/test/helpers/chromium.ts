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
import { after, before } from 'node:test';
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
  /**
   * Connections to http://localhost:<key> go to 127.0.0.1:<value> instead, while the page keeps
   * its origin: a test serves a fixed origin (one a client is registered with, such as the
   * field app's localhost:8081) on a free port of its own, so two runs side by side never
   * compete for the fixed one.
   */
  localhostPorts?: Record<number, number>;
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
    ...hostResolverRules(options),
    ...(options.pin ? [`--ignore-certificate-errors-spki-list=${[options.pin].flat().map((pin) => pin.replace(/^sha256\//, '')).join(',')}`] : []),
  ];
}

/** Chromium applies the first rule that matches a host (or host:port); the port rules come first. */
function hostResolverRules(options: ChromiumOptions): string[] {
  const rules = Object.entries(options.localhostPorts ?? {}).map(([from, to]) => `MAP localhost:${from} 127.0.0.1:${to}`);
  if (options.localhostToLoopback) rules.push('MAP localhost 127.0.0.1');
  return rules.length > 0 ? [`--host-resolver-rules=${rules.join(', ')}`] : [];
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

/** One Chromium and one development certificate for a whole test file (see `fileBrowser`). */
export interface FileBrowser {
  /** The certificate every server of the file installs (`install(dataDir)`) before it starts. */
  readonly certificate: SharedCertificate;
  /** The browser, trusting that certificate's pin alone; a failed launch rejects here. */
  browser(): Promise<Browser>;
}

/**
 * One Chromium for the file, launched while its first server starts: the file's servers all use
 * one development certificate made up front, and Chromium trusts its pin alone. Registers the
 * file's `before` (make the certificate, start the launch) and `after` (close the browser, remove
 * the certificate); nothing is made when `skip` is set (Chromium missing).
 */
export function fileBrowser(skip: string | false): FileBrowser {
  let certificate: SharedCertificate | undefined;
  let launched: Promise<Browser> | undefined;
  before(async () => {
    if (skip) return;
    certificate = await sharedDevCertificate();
    launched = launchChromium({ pin: certificate.pin });
    // Awaited by each test run once its server is up; a failed launch fails them there.
    launched.catch(() => undefined);
  });
  after(async () => {
    await (await launched?.catch(() => undefined))?.close();
    certificate?.remove();
  });
  return {
    get certificate() {
      if (!certificate) throw new Error('the file’s development certificate is made in its before() hook');
      return certificate;
    },
    browser: () => launched ?? Promise.reject(new Error('Chromium is launched in the file’s before() hook')),
  };
}
