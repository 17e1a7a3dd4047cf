/**
 * Job lists. Pure components (data and callbacks in, no API calls) so the role-dependent screens
 * are tested without a server; the routes in app/ fetch and pass the data.
 */
import { memo, type ReactNode } from 'react';
import { FlatList, Pressable, Text, TextInput, View } from 'react-native';
import { STATUS_LABEL } from '../permissions';
import type { Job, Technician } from '../types';
import { Button, colors, styles } from './ui';

const OPEN = new Set(['assigned', 'en_route', 'on_site']);

function when(job: Job): string {
  if (!job.windowStart) return 'No time window';
  const start = new Date(job.windowStart);
  return `${start.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${start.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

/** Today's window, or still open from before: what the technician has to do now. */
export function jobsForToday(jobs: readonly Job[], now = new Date()): Job[] {
  const today = now.toDateString();
  return jobs
    .filter((j) => OPEN.has(j.status) || (j.windowStart !== null && new Date(j.windowStart).toDateString() === today && j.status !== 'cancelled'))
    .sort((a, b) => (a.windowStart ?? '').localeCompare(b.windowStart ?? ''));
}

export const JobRow = memo(function JobRow(props: { job: Job; onOpen: (id: string) => void; assignee?: string | undefined }): ReactNode {
  const { job } = props;
  return (
    <Pressable accessibilityRole="link" testID={`job-${job.id}`} onPress={() => props.onOpen(job.id)} style={[styles.card, { marginBottom: 8 }]}>
      <Text style={[styles.text, { fontWeight: '600' }]} numberOfLines={1}>
        {job.title}
      </Text>
      <View style={styles.row}>
        <Text style={[styles.muted, { color: job.status === 'completed' ? '#2e7d32' : colors.accent }]} testID="job-status">
          {STATUS_LABEL[job.status] ?? job.status}
        </Text>
        <Text style={styles.muted}>
          {when(job)} · {job.territory} · {job.priority}
        </Text>
        {props.assignee !== undefined ? <Text style={styles.muted}>{props.assignee}</Text> : null}
      </View>
    </Pressable>
  );
});

export function MyJobs(props: { jobs: readonly Job[]; onOpen: (id: string) => void; onRefresh: () => void }): ReactNode {
  const today = jobsForToday(props.jobs);
  return (
    <View style={{ flex: 1, gap: 8 }} testID="my-jobs">
      <View style={styles.row}>
        <Text style={[styles.text, { fontWeight: '700', flex: 1 }]}>My jobs today ({today.length})</Text>
        <Button label="Refresh" kind="plain" onPress={props.onRefresh} testID="refresh" />
      </View>
      {today.length === 0 ? <Text style={styles.muted}>Nothing for today.</Text> : null}
      <FlatList data={today} keyExtractor={(j) => j.id} renderItem={({ item }) => <JobRow job={item} onOpen={props.onOpen} />} />
    </View>
  );
}

export const STATUS_FILTERS = ['', 'new', 'assigned', 'en_route', 'on_site', 'completed', 'cancelled'] as const;

export function OfficeJobs(props: {
  jobs: readonly Job[];
  technicians: readonly Technician[];
  query: string;
  status: string;
  onQuery: (q: string) => void;
  onStatus: (s: string) => void;
  onOpen: (id: string) => void;
  onRefresh: () => void;
}): ReactNode {
  const names = new Map(props.technicians.map((t) => [t.id, t.displayName]));
  return (
    <View style={{ flex: 1, gap: 8 }} testID="office-jobs">
      <View style={styles.row}>
        <Text style={[styles.text, { fontWeight: '700', flex: 1 }]}>Jobs in my scope ({props.jobs.length})</Text>
        <Button label="Refresh" kind="plain" onPress={props.onRefresh} testID="refresh" />
      </View>
      <TextInput style={styles.input} placeholder="Search jobs" value={props.query} onChangeText={props.onQuery} testID="search" accessibilityLabel="Search jobs" />
      <View style={styles.row}>
        {STATUS_FILTERS.map((s) => (
          <Pressable key={s || 'all'} onPress={() => props.onStatus(s)} testID={`filter-${s || 'all'}`} style={[styles.plain, { paddingHorizontal: 8, paddingVertical: 4, borderRadius: 12, backgroundColor: props.status === s ? '#dce8fa' : 'transparent' }]}>
            <Text style={styles.muted}>{s ? STATUS_LABEL[s] : 'All'}</Text>
          </Pressable>
        ))}
      </View>
      <FlatList
        data={props.jobs}
        keyExtractor={(j) => j.id}
        initialNumToRender={12}
        windowSize={7}
        renderItem={({ item }) => <JobRow job={item} onOpen={props.onOpen} assignee={item.assignedTo ? (names.get(item.assignedTo) ?? 'Assigned') : 'Unassigned'} />}
      />
    </View>
  );
}
