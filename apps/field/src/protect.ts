/**
 * Screenshots and screen recording of the app are blocked on Android (FLAG_SECURE) and the app
 * switcher shows no content on iOS, through expo-screen-capture (a maintained module).
 */
import { usePreventScreenCapture } from 'expo-screen-capture';

export function useScreenProtection(): void {
  usePreventScreenCapture();
}
