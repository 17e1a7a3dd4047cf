/**
 * Where the app finds Palisade, and who it is there. Expo inlines `EXPO_PUBLIC_*` variables at
 * build time: a company's build sets them (README: "Run on a phone"); the defaults are the local
 * development server (`npm start`) and the development client Palisade registers for the web
 * build (`field-web`, keyless like the admin console).
 */
export const PALISADE_URL = deployedUrl() ?? process.env.EXPO_PUBLIC_PALISADE_URL ?? 'https://localhost:8443';
export const CLIENT_ID = process.env.EXPO_PUBLIC_PALISADE_CLIENT_ID ?? 'field-web';
/** The app's API key (`palisade-app-key`); a browser client registered as keyless sends none. */
export const APP_KEY = process.env.EXPO_PUBLIC_PALISADE_APP_KEY ?? '';
export const APP_VERSION = '1.0.0';
/** The server's idle timeout, mirrored on the device (sessions.idleTimeout, 15 min by default). */
export const IDLE_TIMEOUT_MS = 15 * 60_000;

/**
 * The web build may also be told at deploy time, without a rebuild, by a tag in its index.html:
 * `<meta name="palisade-url" content="https://palisade.example.com">` (the end-to-end test
 * serves the exported build this way, next to a Palisade on a free port).
 */
function deployedUrl(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  return document.querySelector('meta[name="palisade-url"]')?.getAttribute('content') ?? undefined;
}
