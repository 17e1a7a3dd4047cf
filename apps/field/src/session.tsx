/**
 * The app's gate: completes a sign-in coming back from the IdP, restores a kept session, loads
 * what the person may do (`/api/v1/me/permissions`), and shows the screen the SDK's state calls
 * for — sign-in, refusal, lock, update required, device not compliant — before any route. The
 * routes below it only ever render for an active session with a role.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { PalisadeError } from '@palisade/client';
import { PalisadeProvider, useSession } from '@palisade/client/react';
import { explain, forgetOfflineStore, palisade } from './palisade';
import { beginSignIn, completeSignInIfCallback } from './platform';
import { homeFor, type Home, type MyPermissions } from './permissions';
import { DeviceStateScreen, LoadingScreen, LockScreen, RefusedScreen, SignInScreen } from './screens/gate';

interface Field {
  me: MyPermissions;
  home: Home;
  /** A JSON call through the SDK (signed, DPoP-bound); throws PalisadeError with the server's problem. */
  call<T>(path: string, init?: { method?: string; body?: Record<string, unknown> | Uint8Array; headers?: Record<string, string> }): Promise<T>;
  signOut(): Promise<void>;
  lock(): void;
}

const FieldContext = createContext<Field | undefined>(undefined);

export function useField(): Field {
  const field = useContext(FieldContext);
  if (!field) throw new Error('useField: inside <FieldSession> only');
  return field;
}

/** Problem types at sign-in that mean "this device may not", with the server's reason shown. */
const DEVICE_REFUSALS = new Set(['device-compromised', 'mdm-noncompliant', 'mdm-enrollment-required', 'attestation-required', 'posture-required', 'passcode-required', 'mfa-required', 'unexpected-response']);

export function FieldSession(props: { children: ReactNode }): ReactNode {
  return (
    <PalisadeProvider client={palisade()}>
      <Gate>{props.children}</Gate>
    </PalisadeProvider>
  );
}

type Blocker = { kind: 'refused' } | { kind: 'not-compliant'; reason: string } | { kind: 'sign-in-failed'; reason: string };

function Gate(props: { children: ReactNode }): ReactNode {
  const { state, client } = useSession();
  const [booted, setBooted] = useState(false);
  const [me, setMe] = useState<MyPermissions | undefined>();
  const [blocker, setBlocker] = useState<Blocker | undefined>();
  const [signedOutReason, setSignedOutReason] = useState<string | undefined>();

  useEffect(() => {
    return client.subscribe((next, reason) => {
      if (next === 'signed-out') {
        setMe(undefined);
        // The SDK erased the offline store with its own; the next person's configuration decides anew.
        forgetOfflineStore();
        if (reason === 'wiped') setSignedOutReason('This device was wiped by your administrator: everything the app kept on it is gone. Sign in again.');
        else if (reason === 'session-revoked' || reason === 'refresh-refused') setSignedOutReason('Your session has ended. Sign in again.');
      }
    });
  }, [client]);

  useEffect(() => {
    let gone = false;
    (async () => {
      try {
        // Back from the IdP (web): the callback route then goes where the person was.
        if ((await completeSignInIfCallback(client)) === undefined) await client.restore();
      } catch (error) {
        if (gone) return;
        // The IdP's refusal of a person without a role arrives as access_denied.
        const cause = error instanceof Error ? (error.cause as { error?: unknown } | undefined) : undefined;
        if (cause?.error === 'access_denied') setBlocker({ kind: 'refused' });
        else if (error instanceof PalisadeError && DEVICE_REFUSALS.has(error.code)) setBlocker({ kind: 'not-compliant', reason: explain(error) });
        else setBlocker({ kind: 'sign-in-failed', reason: explain(error) });
      }
      if (!gone) setBooted(true);
    })();
    return () => {
      gone = true;
    };
  }, [client]);

  const loadMe = useCallback(async () => {
    try {
      const mine = await client.json('/api/v1/me/permissions') as MyPermissions;
      setMe(mine);
      setBlocker(homeFor(mine).refused ? { kind: 'refused' } : undefined);
    } catch (error) {
      if (error instanceof PalisadeError && (error.code === 'no-role' || error.code === 'forbidden')) setBlocker({ kind: 'refused' });
      else if (error instanceof PalisadeError && DEVICE_REFUSALS.has(error.code)) setBlocker({ kind: 'not-compliant', reason: explain(error) });
      else if (!(error instanceof PalisadeError && ['locked', 'update-required', 'signed-out', 'session-locked'].includes(error.code))) setBlocker({ kind: 'sign-in-failed', reason: explain(error) });
    }
  }, [client]);

  useEffect(() => {
    if (booted && state === 'active' && !me) void loadMe();
  }, [booted, state, me, loadMe]);

  const field = useMemo<Field | undefined>(() => {
    if (!me) return undefined;
    return {
      me,
      home: homeFor(me),
      call: async <T,>(path: string, init: Parameters<Field['call']>[1] = {}) => {
        const response = await client.fetch(path, init);
        if (!response.ok) {
          const problem = (await response.json().catch(() => ({}))) as Parameters<typeof PalisadeError.fromProblem>[1];
          throw PalisadeError.fromProblem(response.status, problem);
        }
        // 204 (a position sent, a shift removed): no body to read.
        return (response.status === 204 ? undefined : await response.json()) as T;
      },
      signOut: () => client.signOut(),
      lock: () => client.lock('idle'),
    };
  }, [me, client]);

  const signIn = () => {
    setBlocker(undefined);
    setSignedOutReason(undefined);
    void beginSignIn(client);
  };
  const signOut = () => {
    setBlocker(undefined);
    void client.signOut();
  };

  if (!booted) return <LoadingScreen />;
  if (blocker?.kind === 'refused') return <RefusedScreen onSignOut={signOut} />;
  if (blocker?.kind === 'not-compliant') return <DeviceStateScreen kind="not-compliant" reason={blocker.reason} onRetry={signIn} />;
  if (state === 'signed-out') return <SignInScreen onSignIn={signIn} message={blocker?.reason ?? signedOutReason} />;
  if (state === 'update-required') return <DeviceStateScreen kind="update-required" reason="This version of the app is no longer allowed: install the update from your company’s app store." />;
  if (state === 'locked') return <LockScreen onUnlock={() => client.unlock()} onSignIn={signIn} />;
  if (blocker?.kind === 'sign-in-failed') return <DeviceStateScreen kind="error" reason={blocker.reason} onRetry={() => { setBlocker(undefined); void loadMe(); }} />;
  if (!field) return <LoadingScreen />;
  return <FieldContext.Provider value={field}>{props.children}</FieldContext.Provider>;
}
