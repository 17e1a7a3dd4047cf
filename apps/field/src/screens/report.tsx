/**
 * The manager's jobs report and CSV export. The export needs a recent sign-in (step-up): the
 * SDK signs the person in again when the server asks. On a personal device the server refuses
 * company data export; the app hides the button and says why.
 */
import type { ReactNode } from 'react';
import { ScrollView, Text, View } from 'react-native';
import { STATUS_LABEL } from '../permissions';
import type { ReportRow } from '../types';
import { Button, Notice, styles } from './ui';

export interface ReportProps {
  rows: readonly ReportRow[] | undefined;
  canExport: boolean;
  /** The server's refusal of export on this device (a personal device): export hidden, reason shown. */
  exportRefusal: string | undefined;
  exportNeedsStepUp: boolean;
  notice: string | undefined;
  info: string | undefined;
  onExport: () => void;
}

export function Report(props: ReportProps): ReactNode {
  return (
    <ScrollView contentContainerStyle={{ gap: 12 }} testID="report">
      <View style={styles.card}>
        <Text style={[styles.text, { fontWeight: '700' }]}>Jobs, last 30 days</Text>
        {props.rows === undefined ? <Text style={styles.muted}>Loading…</Text> : null}
        {props.rows?.map((r) => (
          <Text key={`${r.territory}-${r.status}`} style={styles.text} testID="report-row">
            {r.territory} · {STATUS_LABEL[r.status] ?? r.status}: {r.jobs}
            {r.avgHoursToComplete !== null ? ` · ${r.avgHoursToComplete.toFixed(1)} h to complete` : ''}
          </Text>
        ))}
      </View>
      {props.canExport ? (
        props.exportRefusal ? (
          <Notice text={`Export is not available here. ${props.exportRefusal}`} kind="info" testID="export-refused" />
        ) : (
          <View style={styles.card}>
            <Text style={styles.muted}>{props.exportNeedsStepUp ? 'Exporting needs a recent sign-in: you may be asked to sign in again.' : 'CSV of the jobs in your scope.'}</Text>
            <Button label="Export CSV" onPress={props.onExport} testID="export" />
          </View>
        )
      ) : null}
      <Notice text={props.notice} testID="report-notice" />
      <Notice text={props.info} kind="info" testID="report-info" />
    </ScrollView>
  );
}
