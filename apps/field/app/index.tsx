/** Home: what the permission matrix lets this person do, from /api/v1/me/permissions. */
import { Stack, useRouter } from 'expo-router';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Linking, Text, View } from 'react-native';
import { explain, isOffline, offlineStore } from '../src/palisade';
import { currentPosition, openConsole } from '../src/platform';
import { keepJobs, keptJobs } from '../src/offline';
import { PALISADE_URL } from '../src/config';
import { useField } from '../src/session';
import { MyJobs, OfficeJobs } from '../src/screens/jobs';
import { MyShift } from '../src/screens/team';
import { Button, Notice, Screen, styles } from '../src/screens/ui';
import type { Job, JobPage, Shift, Technician } from '../src/types';

/** The most jobs the list holds: five pages of the API's largest (200). */
const MAX_JOBS = 1000;

export default function Home(): ReactNode {
  const { me, home, call, signOut, lock } = useField();
  const router = useRouter();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [technicians, setTechnicians] = useState<Technician[]>([]);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [notice, setNotice] = useState<string | undefined>();
  const [kept, setKept] = useState<string | undefined>();
  const [shifts, setShifts] = useState<Shift[] | undefined>();
  const [reported, setReported] = useState<{ at: string } | undefined>();
  const [shiftNotice, setShiftNotice] = useState<string | undefined>();
  const office = home.sections.includes('jobs');
  const mine = home.sections.includes('my-jobs');
  const onShiftCard = home.sections.includes('my-shift');

  const load = useCallback(async () => {
    if (!office && !mine) return;
    setNotice(undefined);
    try {
      const params = new URLSearchParams({ limit: '200' });
      if (office && query.trim()) params.set('q', query.trim());
      if (office && status) params.set('status', status);
      // Every job in scope, page by page (keyset cursor), up to MAX_JOBS.
      const all: Job[] = [];
      for (let cursor: string | null = null; all.length < MAX_JOBS; ) {
        if (cursor) params.set('cursor', cursor);
        const page: JobPage = await call<JobPage>(`/api/v1/jobs?${params}`);
        all.push(...page.jobs);
        cursor = page.next;
        if (!cursor) break;
      }
      setJobs(all);
      setKept(undefined);
      // The unfiltered list is what the app keeps for working offline (where allowed).
      if (!query.trim() && !status) {
        const offline = await offlineStore();
        if (offline) await keepJobs(offline.store, offline.policy, all).catch(() => undefined);
      }
      if (office) setTechnicians((await call<{ technicians: Technician[] }>('/api/v1/technicians?limit=200')).technicians);
    } catch (error) {
      if (!isOffline(error)) return setNotice(explain(error));
      const offline = await offlineStore();
      const saved = offline ? await keptJobs(offline.store) : undefined;
      if (saved) {
        setJobs(saved);
        setKept('No connection: this is the job list kept on this device. Job details, sites and access notes need a connection.');
      } else {
        setJobs([]);
        setNotice('No connection: the job list needs one (nothing is kept on this device).');
      }
    }
  }, [call, office, mine, query, status]);

  const loadShifts = useCallback(async () => {
    if (!onShiftCard) return;
    try {
      setShifts((await call<{ shifts: Shift[] }>('/api/v1/shifts')).shifts);
      setShiftNotice(undefined);
    } catch (error) {
      setShiftNotice(isOffline(error) ? 'No connection: your shifts need one.' : explain(error));
    }
  }, [call, onShiftCard]);

  useEffect(() => {
    void loadShifts();
  }, [loadShifts]);

  // Only while on shift (the card offers it then): the position, sent once when asked.
  const reportLocation = async () => {
    setShiftNotice(undefined);
    try {
      const position = await currentPosition();
      if (!position) return setShiftNotice('The location is not available: allow Field Service to use it while you are on shift.');
      await call('/api/v1/me/location', { method: 'POST', body: { latitude: position.latitude, longitude: position.longitude, accuracyM: position.accuracyM } });
      setReported({ at: new Date().toISOString() });
    } catch (error) {
      setShiftNotice(isOffline(error) ? 'No connection: your location was not sent.' : explain(error));
    }
  };

  // Typing in the search box asks the server once the typing pauses, not per key.
  useEffect(() => {
    const timer = setTimeout(() => void load(), 250);
    return () => clearTimeout(timer);
  }, [load]);

  const who = [me.roles.join(', '), me.scope.territory, me.scope.region, me.scope.department].filter(Boolean).join(' · ');
  return (
    <Screen
      title="Field Service"
      testID="home"
      actions={
        <View style={styles.row}>
          <Button label="Lock" kind="plain" onPress={lock} testID="lock" />
          <Button label="Sign out" kind="plain" onPress={() => void signOut()} testID="sign-out" />
        </View>
      }
    >
      <Stack.Screen options={{ title: 'Field Service' }} />
      <Text style={styles.muted} testID="who">
        {who}
      </Text>
      <Notice text={notice} testID="home-notice" />
      <Notice text={kept} kind="info" testID="offline-kept" />
      {onShiftCard ? <MyShift shifts={shifts} reported={reported} notice={shiftNotice} onReport={() => void reportLocation()} /> : null}
      {home.sections.includes('team') || home.sections.includes('locations') ? <Button label="Shifts and locations" kind="plain" onPress={() => router.push('/team')} testID="open-team" /> : null}
      {home.sections.includes('report') ? <Button label="Jobs report" kind="plain" onPress={() => router.push('/report')} testID="open-report" /> : null}
      {home.sections.includes('console') ? (
        <Button label="Open the admin console" kind="plain" onPress={() => (openConsole ? openConsole(`${PALISADE_URL}/console/`) : void Linking.openURL(`${PALISADE_URL}/console/`))} testID="open-console" />
      ) : null}
      {mine ? <MyJobs jobs={jobs} onOpen={(id) => router.push(`/jobs/${id}`)} onRefresh={() => { void load(); void loadShifts(); }} /> : null}
      {office ? <OfficeJobs jobs={jobs} technicians={technicians} query={query} status={status} onQuery={setQuery} onStatus={setStatus} onOpen={(id) => router.push(`/jobs/${id}`)} onRefresh={() => void load()} /> : null}
    </Screen>
  );
}
