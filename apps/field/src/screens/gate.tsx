/** The screens shown before any route: loading, sign-in, refusal, lock, and the device states the SDK reports. */
import { useState, type ReactNode } from 'react';
import { ActivityIndicator, Text, View } from 'react-native';
import { Button, Notice, Screen, styles } from './ui';

export function LoadingScreen(): ReactNode {
  return (
    <View style={[styles.screen, { justifyContent: 'center' }]} testID="loading">
      <ActivityIndicator />
    </View>
  );
}

export function SignInScreen(props: { onSignIn: () => void; message?: string | undefined }): ReactNode {
  return (
    <Screen title="Field Service" testID="sign-in-screen">
      <Text style={styles.text}>Sign in with your company account to see your jobs.</Text>
      <Notice text={props.message} kind="info" testID="signed-out-reason" />
      <Button label="Sign in" onPress={props.onSignIn} testID="sign-in" />
    </Screen>
  );
}

export function RefusedScreen(props: { onSignOut: () => void }): ReactNode {
  return (
    <Screen title="No access" testID="refused-screen">
      <Text style={styles.text}>
        Your company account has no role in Field Service, so there is nothing this app can show you. If you should have access, ask your manager or IT to add you to the right group.
      </Text>
      <Button label="Sign out" kind="plain" onPress={props.onSignOut} testID="sign-out" />
    </Screen>
  );
}

export function LockScreen(props: { onUnlock: () => Promise<void>; onSignIn: () => void }): ReactNode {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const unlock = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onUnlock();
    } catch {
      setError('Could not unlock. Sign in again to continue.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Screen title="Locked" testID="lock-screen">
      <Text style={styles.text}>The app locked itself after 15 minutes without use, or Palisade locked your session. Unlock to go on where you were.</Text>
      <Notice text={error} />
      <Button label={busy ? 'Unlocking…' : 'Unlock'} onPress={() => void unlock()} disabled={busy} testID="unlock" />
      <Button label="Sign in again" kind="plain" onPress={props.onSignIn} testID="lock-sign-in" />
    </Screen>
  );
}

const TITLES = { 'update-required': 'Update required', 'not-compliant': 'This device is not allowed', error: 'Something went wrong', offline: 'No connection' } as const;

export function DeviceStateScreen(props: { kind: keyof typeof TITLES; reason: string; onRetry?: () => void }): ReactNode {
  return (
    <Screen title={TITLES[props.kind]} testID={`device-${props.kind}`}>
      <Notice text={props.reason} testID="device-reason" />
      {props.onRetry ? <Button label="Try again" onPress={props.onRetry} testID="retry" /> : null}
    </Screen>
  );
}
