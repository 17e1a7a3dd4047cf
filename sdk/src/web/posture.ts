/**
 * A browser's posture facts: what it can state honestly. The app's own version and build, and
 * the user agent's low-entropy client hints (`navigator.userAgentData`: brand and major version,
 * OS name, mobile) where the browser offers them — Chromium-based browsers do, Firefox and Safari
 * do not, and then only the app version is sent. The user-agent string is not parsed: it is
 * free text any browser may freeze or fake, and the server holds no rule to it. A browser has
 * no OS version, jailbreak notion, passcode, biometry a page may ask about, or MDM: none is
 * claimed (the server refuses a web report that names one).
 */
import type { WebPostureFacts } from '../platform.ts';

/** The parts of `NavigatorUAData` read (low-entropy hints only: no permission, no prompt). */
interface UserAgentData {
  brands?: readonly { brand: string; version: string }[];
  mobile?: boolean;
  platform?: string;
}

const SHORT_TEXT = /^[\w .,:()+/-]{1,64}$/;
// eslint-disable-next-line security/detect-unsafe-regex -- linear: bounded repetitions, anchored
const VERSION = /^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$/;
/** GREASE brands (RFC 8942-style noise browsers add so servers do not depend on the list). */
const GREASE = /not.?a.?brand/i;

export function webPostureFacts(navigator: { userAgentData?: UserAgentData } | undefined, app: { appVersion: string; appBuild?: string }): WebPostureFacts {
  const hints = navigator?.userAgentData;
  const brands = (hints?.brands ?? []).filter((b) => !GREASE.test(b.brand) && SHORT_TEXT.test(b.brand) && VERSION.test(b.version));
  // The product's own brand ("Google Chrome", "Microsoft Edge") over the engine's ("Chromium").
  const brand = brands.find((b) => b.brand !== 'Chromium') ?? brands[0];
  return {
    platform: 'web',
    appVersion: app.appVersion,
    ...(app.appBuild ? { appBuild: app.appBuild } : {}),
    ...(brand ? { browser: brand.brand, browserVersion: brand.version } : {}),
    ...(hints?.platform && SHORT_TEXT.test(hints.platform) ? { os: hints.platform } : {}),
    ...(typeof hints?.mobile === 'boolean' ? { mobile: hints.mobile } : {}),
  };
}
