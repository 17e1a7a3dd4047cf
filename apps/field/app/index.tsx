/** Home: what the permission matrix lets this person do, from /api/v1/me/permissions. */
import { Stack, useRouter } from 'expo-router';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Linking, Text, View } from 'react-native';
import { explain, isOffline } from '../src/palisade';
import { openConsole } from '../src/platform';
import { PALISADE_URL } from '../src/config';
import { useField } from '../src/session';
import { MyJobs, OfficeJobs } from '../src/screens/jobs';
import { Button, Notice, Screen, styles } from '../src/screens/ui';
import type { Job, Technician } from '../src/types';

export default function Home(): ReactNode {
  const { me, home, call, signOut, lock } = useField();
  const router = useRouter();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [technicians, setTechnicians] = useState<Technician[]>([]);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [notice, setNotice] = useState<string | undefined>();
  const office = home.sections.includes('jobs');
  const mine = home.sections.includes('my-jobs');

  const load = useCallback(async () => {
    if (!office && !mine) return;
    setNotice(undefined);
    try {
      const params = new URLSearchParams({ limit: '200' });
      if (office && query.trim()) params.set('q', query.trim());
      if (office && status) params.set('status', status);
      const page = await call<{ jobs: Job[] }>(`/api/v1/jobs?${params}`);
      setJobs(page.jobs);
      if (office) setTechnicians((await call<{ technicians: Technician[] }>('/api/v1/technicians?limit=200')).technicians);
    } catch (error) {
      setNotice(isOffline(error) ? 'No connection: the job list needs one.' : explain(error));
    }
  }, [call, office, mine, query, status]);

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
      {home.sections.includes('report') ? <Button label="Jobs report" kind="plain" onPress={() => router.push('/report')} testID="open-report" /> : null}
      {home.sections.includes('console') ? (
        <Button label="Open the admin console" kind="plain" onPress={() => (openConsole ? openConsole(`${PALISADE_URL}/console/`) : void Linking.openURL(`${PALISADE_URL}/console/`))} testID="open-console" />
      ) : null}
      {mine ? <MyJobs jobs={jobs} onOpen={(id) => router.push(`/jobs/${id}`)} onRefresh={() => void load()} /> : null}
      {office ? <OfficeJobs jobs={jobs} technicians={technicians} query={query} status={status} onQuery={setQuery} onStatus={setStatus} onOpen={(id) => router.push(`/jobs/${id}`)} onRefresh={() => void load()} /> : null}
    </Screen>
  );
}
