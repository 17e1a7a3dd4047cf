/**
 * Real Chromium for the browser tests (Playwright driving the Debian package): where it is, when
 * its absence skips a test, and the one set of launch flags every browser test uses.
 *
 * Set PALISADE_TEST_CHROMIUM to use another binary; PALISADE_REQUIRE_BROWSER=1 turns a missing
 * browser into a failure instead of a skip (CI sets it).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
