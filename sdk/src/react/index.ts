/**
 * React bindings (`@palisade/client/react`; React is a peer dependency, used only here):
 *
 *   <PalisadeProvider client={client}>…</PalisadeProvider>
 *   const { state, identity } = useSession();   // re-renders on every state change
 *   const api = useApi();                       // the typed API client
 *   const { locked, lock, unlock } = useLock(); // the app decides when the unlock prompt shows
 *
 * The state comes from `PalisadeClient.subscribe` through useSyncExternalStore, so every
 * component sees the same state in the same render.
 */
import { createContext, createElement, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { PalisadeClient, SessionState } from '../client.ts';
import { createApiClient, type PalisadeApi } from '../api/client.ts';

const PalisadeContext = createContext<PalisadeClient | undefined>(undefined);

export function PalisadeProvider(props: { client: PalisadeClient; children?: ReactNode }): ReactNode {
  return createElement(PalisadeContext.Provider, { value: props.client }, props.children);
}

export function usePalisadeClient(): PalisadeClient {
  const client = useContext(PalisadeContext);
  if (!client) throw new Error('usePalisadeClient: wrap the app in <PalisadeProvider client={…}>');
  return client;
}

function useClientState(client: PalisadeClient): SessionState {
  const subscribe = useCallback((changed: () => void) => client.subscribe(() => changed()), [client]);
  const read = () => client.state;
  return useSyncExternalStore(subscribe, read, read);
}

export function useSession(): { state: SessionState; identity: PalisadeClient['identity']; client: PalisadeClient } {
  const client = usePalisadeClient();
  const state = useClientState(client);
  return { state, identity: client.identity, client };
}

export function useApi(): PalisadeApi {
  const client = usePalisadeClient();
  return useMemo(() => createApiClient(client), [client]);
}

export function useLock(): { locked: boolean; lock: () => void; unlock: () => Promise<void> } {
  const client = usePalisadeClient();
  const state = useClientState(client);
  return useMemo(() => ({ locked: state === 'locked', lock: () => client.lock('idle'), unlock: () => client.unlock() }), [client, state]);
}
