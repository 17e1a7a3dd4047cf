/**
 * One job. The site and its access notes are fetched when the screen opens and live only in the
 * screen's state: never cached, never written to a store (sensitive, `x-palisade-offline: false`).
 * Without a connection the screen says it needs one instead of showing old data.
 */
import type { ReactNode } from 'react';
import { ScrollView, Text, View } from 'react-native';
import { STATUS_LABEL, WORKFLOW, nextStatus } from '../permissions';
import type { Job, Site, Technician } from '../types';
import { Button, Notice, styles } from './ui';

export interface JobDetailProps {
  job: Job;
  site: Site | undefined;
  offline: boolean;
  notice: string | undefined;
  info?: string | undefined;
  /** The technician's workflow (permission jobs.status). */
  canMove: boolean;
  canUpload: boolean;
  /** Dispatchers and managers (permission jobs.assign): technicians in scope. */
  technicians: readonly Technician[] | undefined;
  photos: number | undefined;
  onMove: (status: string) => void;
  onAssign: (technicianId: string) => void;
  onPhoto: () => void;
}

export function JobDetail(props: JobDetailProps): ReactNode {
  const { job } = props;
  const next = nextStatus(job.status);
  return (
    <ScrollView contentContainerStyle={{ gap: 12 }} testID="job-detail">
      <View style={styles.card}>
        <Text style={[styles.text, { fontWeight: '700' }]}>{job.title}</Text>
        <Text style={styles.text} testID="detail-status">
          Status: {STATUS_LABEL[job.status] ?? job.status}
        </Text>
        <Text style={styles.muted}>
          {job.territory} · {job.department} · priority {job.priority}
        </Text>
        {job.description ? <Text style={styles.text}>{job.description}</Text> : null}
      </View>
      <View style={styles.card} testID="site">
        <Text style={[styles.text, { fontWeight: '600' }]}>Site</Text>
        {props.offline ? (
          <Text style={styles.muted} testID="needs-connection">
            The site and its access notes need a connection: they are never kept on the device.
          </Text>
        ) : props.site ? (
          <>
            <Text style={styles.text}>
              {props.site.name} — {props.site.customerName}
            </Text>
            <Text style={styles.text}>{props.site.address}</Text>
            <Text style={styles.muted} testID="access-notes">
              Access: {props.site.accessNotes ?? 'no notes'}
            </Text>
          </>
        ) : (
          <Text style={styles.muted}>Loading…</Text>
        )}
      </View>
      <Notice text={props.notice} testID="job-notice" />
      <Notice text={props.info} kind="info" testID="job-info" />
      {props.canMove ? (
        <View style={styles.card} testID="workflow">
          <Text style={[styles.text, { fontWeight: '600' }]}>Move the job along</Text>
          <View style={styles.row}>
            {WORKFLOW.map((s) => (
              <Button key={s} label={STATUS_LABEL[s]!} kind={s === next ? 'primary' : 'plain'} onPress={() => props.onMove(s)} testID={`move-${s}`} />
            ))}
          </View>
        </View>
      ) : null}
      {props.canUpload ? (
        <View style={styles.card}>
          <Text style={[styles.text, { fontWeight: '600' }]}>Photos {props.photos !== undefined ? `(${props.photos})` : ''}</Text>
          <Text style={styles.muted}>Palisade strips location and camera details from every photo.</Text>
          <Button label="Add a photo" kind="plain" onPress={props.onPhoto} testID="add-photo" />
        </View>
      ) : null}
      {props.technicians ? (
        <View style={styles.card} testID="assign">
          <Text style={[styles.text, { fontWeight: '600' }]}>Assign to</Text>
          {props.technicians.length === 0 ? <Text style={styles.muted}>No technician in your scope.</Text> : null}
          <View style={styles.row}>
            {props.technicians
              .filter((t) => t.active)
              .map((t) => (
                <Button key={t.id} label={t.displayName} kind={job.assignedTo === t.id ? 'primary' : 'plain'} onPress={() => props.onAssign(t.id)} testID={`assign-${t.id}`} />
              ))}
          </View>
        </View>
      ) : null}
    </ScrollView>
  );
}
