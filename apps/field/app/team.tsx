/** Dispatchers and managers: technicians in scope, their shifts of the week, planning one, and their latest positions (on demand). */
import { Stack } from 'expo-router';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { View } from 'react-native';
import { explain, isOffline } from '../src/palisade';
import { useField } from '../src/session';
import { Team } from '../src/screens/team';
import { styles } from '../src/screens/ui';
import type { NewShift, Position, Shift, Technician } from '../src/types';

export default function TeamScreen(): ReactNode {
  const { call, home } = useField();
  const [technicians, setTechnicians] = useState<Technician[] | undefined>();
  const [shifts, setShifts] = useState<Shift[]>([]);
  const [positions, setPositions] = useState<Map<string, Position | null> | undefined>();
  const [offline, setOffline] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [info, setInfo] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setTechnicians((await call<{ technicians: Technician[] }>('/api/v1/technicians?active=true&limit=200')).technicians);
      setShifts((await call<{ shifts: Shift[] }>('/api/v1/shifts?limit=200')).shifts);
      setOffline(false);
    } catch (error) {
      if (isOffline(error)) setOffline(true);
      else setNotice(explain(error));
    }
  }, [call]);

  useEffect(() => {
    void load();
  }, [load]);

  const onPlan = async (technicianId: string, startsAt: string, endsAt: string) => {
    setNotice(undefined);
    setInfo(undefined);
    try {
      const body: NewShift = { technicianId, startsAt, endsAt };
      const created = await call<Shift>('/api/v1/shifts', { method: 'POST', body });
      setShifts((all) => [...all, created]);
      setInfo('Shift planned.');
    } catch (error) {
      setNotice(isOffline(error) ? 'No connection: planning a shift needs one.' : explain(error));
    }
  };

  // One call per technician (the API gives a technician's latest position): the list is the scope's, a few dozen at most.
  const onShowPositions = async () => {
    setNotice(undefined);
    try {
      const found = new Map<string, Position | null>();
      for (const t of (technicians ?? []).filter((x) => x.active)) {
        const { locations } = await call<{ locations: Position[] }>(`/api/v1/technicians/${encodeURIComponent(t.id)}/locations?limit=1`);
        found.set(t.id, locations[0] ?? null);
      }
      setPositions(found);
    } catch (error) {
      setNotice(isOffline(error) ? 'No connection: locations need one.' : explain(error));
    }
  };

  return (
    <View style={styles.screen}>
      <Stack.Screen options={{ title: 'Shifts and locations' }} />
      <Team
        technicians={technicians}
        shifts={shifts}
        positions={positions}
        canPlan={home.sections.includes('team')}
        canSeeLocations={home.sections.includes('locations')}
        offline={offline}
        notice={notice}
        info={info}
        onPlan={(id, s, e) => void onPlan(id, s, e)}
        onShowPositions={() => void onShowPositions()}
      />
    </View>
  );
}
