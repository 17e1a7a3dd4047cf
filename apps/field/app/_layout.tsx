/** The root layout: the session gate first, then the routes (Expo Router, one codebase for iOS, Android and the web). */
import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import type { ReactNode } from 'react';
import { FieldSession } from '../src/session';
import { useScreenProtection } from '../src/protect';

export default function RootLayout(): ReactNode {
  useScreenProtection();
  return (
    <FieldSession>
      <StatusBar style="dark" />
      <Stack screenOptions={{ headerShown: true, title: 'Field Service' }} />
    </FieldSession>
  );
}
