/**
 * The office's team screen (dispatchers and managers): technicians in scope with their shifts
 * of the coming week, a shift planned in two taps, and each technician's latest reported
 * position as a list (a map is optional; a list needs no map provider or key). Positions are
 * sensitive: fetched when asked for, kept only in the screen's state, never offline.
 *
 * The technician's own card (`MyShift`): their current or next shift, and — only while on a
 * shift — their position sent to Palisade. Off shift the app never asks for the location.
 *
 * Pure components (data and callbacks in, no API calls): the route in app/team.tsx and the home
 * route fetch and pass the data.
 */
import { useState, type ReactNode } from 'react';
import { ScrollView, Text, View } from 'react-native';
import type { Position, Shift, Technician } from '../types';
import { Button, Notice, styles } from './ui';

const HOURS = [6, 8, 10, 14] as const;
const DAYS = [0, 1, 2, 3] as const;
const SHIFT_HOURS = 8;

function dayLabel(offset: number, now: Date): string {
  if (offset === 0) return 'Today';
  if (offset === 1) return 'Tomorrow';
  const day = new Date(now);
  day.setDate(day.getDate() + offset);
  return day.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' });
}

function time(iso: string): string {
  const at = new Date(iso);
  return `${at.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })} ${at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

function hour(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** A shift of `SHIFT_HOURS` hours starting `day` days from `now` at `startHour` local time. */
export function shiftAt(now: Date, day: number, startHour: number): { startsAt: string; endsAt: string } {
  const start = new Date(now);
  start.setDate(start.getDate() + day);
  start.setHours(startHour, 0, 0, 0);
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + SHIFT_HOURS * 3_600_000).toISOString() };
}

/** The shift going on at `now`, if any. */
export function currentShift(shifts: readonly Shift[], now = new Date()): Shift | undefined {
  const t = now.getTime();
  return shifts.find((s) => Date.parse(s.startsAt) <= t && t < Date.parse(s.endsAt));
}

/** How old a position is, said plainly. */
export function age(iso: string, now = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

export interface TeamProps {
  technicians: readonly Technician[] | undefined;
  shifts: readonly Shift[];
  /** Latest position per technician id; undefined until asked for, null when none was reported. */
  positions: ReadonlyMap<string, Position | null> | undefined;
  canPlan: boolean;
  canSeeLocations: boolean;
  offline: boolean;
  notice: string | undefined;
  info: string | undefined;
  now?: Date;
  onPlan: (technicianId: string, startsAt: string, endsAt: string) => void;
  onShowPositions: () => void;
}

export function Team(props: TeamProps): ReactNode {
  const now = props.now ?? new Date();
  const [planning, setPlanning] = useState<string | undefined>();
  const [day, setDay] = useState<number>(1);
  const [start, setStart] = useState<number>(8);
  if (props.offline) {
    return (
      <View style={{ gap: 12 }} testID="team">
        <Notice text="Shifts and technicians’ locations need a connection: they are not kept on the device." testID="needs-connection" />
      </View>
    );
  }
  const active = (props.technicians ?? []).filter((t) => t.active);
  return (
    <ScrollView contentContainerStyle={{ gap: 12 }} testID="team">
      <Notice text={props.notice} testID="team-notice" />
      <Notice text={props.info} kind="info" testID="team-info" />
      {props.technicians === undefined ? <Text style={styles.muted}>Loading…</Text> : null}
      {props.technicians !== undefined && active.length === 0 ? <Text style={styles.muted}>No technician in your scope.</Text> : null}
      {props.canSeeLocations ? (
        props.positions === undefined ? (
          <Button label="Show latest locations" kind="plain" onPress={props.onShowPositions} testID="show-positions" />
        ) : (
          <Text style={styles.muted}>Latest reported positions: sensitive, shown now and not kept.</Text>
        )
      ) : null}
      {active.map((t) => {
        const theirs = props.shifts.filter((s) => s.technicianId === t.id).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
        const position = props.positions?.get(t.id);
        return (
          <View key={t.id} style={styles.card} testID={`technician-${t.id}`}>
            <Text style={[styles.text, { fontWeight: '600' }]}>{t.displayName}</Text>
            <Text style={styles.muted}>
              {t.territory}
              {t.department ? ` · ${t.department}` : ''}
            </Text>
            {theirs.length === 0 ? <Text style={styles.muted}>No shift in the next 7 days.</Text> : null}
            {theirs.map((s) => (
              <Text key={s.id} style={styles.text} testID="shift">
                {time(s.startsAt)}–{hour(s.endsAt)}
              </Text>
            ))}
            {props.positions !== undefined ? (
              <Text style={styles.muted} testID="position">
                {position ? `Last seen ${age(position.at, now)} at ${position.latitude.toFixed(4)}, ${position.longitude.toFixed(4)}${position.accuracyM !== null ? ` (±${Math.round(position.accuracyM)} m)` : ''}` : 'No position reported'}
              </Text>
            ) : null}
            {props.canPlan ? (
              planning === t.id ? (
                <View style={{ gap: 6 }} testID="plan">
                  <View style={styles.row}>
                    {DAYS.map((d) => (
                      <Button key={d} label={dayLabel(d, now)} kind={d === day ? 'primary' : 'plain'} onPress={() => setDay(d)} testID={`plan-day-${d}`} />
                    ))}
                  </View>
                  <View style={styles.row}>
                    {HOURS.map((h) => (
                      <Button key={h} label={`${String(h).padStart(2, '0')}:00`} kind={h === start ? 'primary' : 'plain'} onPress={() => setStart(h)} testID={`plan-hour-${h}`} />
                    ))}
                  </View>
                  <Button
                    label={`Plan ${SHIFT_HOURS} h shift`}
                    onPress={() => {
                      const { startsAt, endsAt } = shiftAt(now, day, start);
                      setPlanning(undefined);
                      props.onPlan(t.id, startsAt, endsAt);
                    }}
                    testID="plan-save"
                  />
                </View>
              ) : (
                <Button label="Plan a shift" kind="plain" onPress={() => setPlanning(t.id)} testID={`plan-${t.id}`} />
              )
            ) : null}
          </View>
        );
      })}
    </ScrollView>
  );
}

export interface MyShiftProps {
  shifts: readonly Shift[] | undefined;
  /** What happened to the last position report: sent (when), refused, or not yet. */
  reported: { at: string } | undefined;
  notice: string | undefined;
  now?: Date;
  onReport: () => void;
}

/** The technician's shift card: the position is offered only while a shift is on. */
export function MyShift(props: MyShiftProps): ReactNode {
  const now = props.now ?? new Date();
  const shifts = props.shifts ?? [];
  const on = currentShift(shifts, now);
  const next = shifts.filter((s) => Date.parse(s.startsAt) > now.getTime()).sort((a, b) => a.startsAt.localeCompare(b.startsAt))[0];
  return (
    <View style={styles.card} testID="my-shift">
      {props.shifts === undefined ? <Text style={styles.muted}>Loading your shifts…</Text> : null}
      {on ? (
        <>
          <Text style={[styles.text, { fontWeight: '600' }]} testID="on-shift">
            On shift until {hour(on.endsAt)}
          </Text>
          <Text style={styles.muted}>While you are on shift, your dispatcher sees where you last were.</Text>
          <Button label="Send my location" kind="plain" onPress={props.onReport} testID="report-location" />
          {props.reported ? (
            <Text style={styles.muted} testID="location-sent">
              Location sent {age(props.reported.at, now)}.
            </Text>
          ) : null}
        </>
      ) : props.shifts !== undefined ? (
        <Text style={styles.text} testID="off-shift">
          Off shift{next ? ` · next: ${time(next.startsAt)}` : ''}. Your location is not shared.
        </Text>
      ) : null}
      <Notice text={props.notice} testID="shift-notice" />
    </View>
  );
}
