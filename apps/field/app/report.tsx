/** The manager's report, and the CSV export behind step-up (hidden where the device may not export). */
import { Stack, useLocalSearchParams, useRouter } from 'expo-router';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { View } from 'react-native';
import { PalisadeError } from '@palisade/client';
import { explain, palisade } from '../src/palisade';
import { resumeAfterStepUp, saveCsv } from '../src/platform';
import { useField } from '../src/session';
import { Report } from '../src/screens/report';
import { styles } from '../src/screens/ui';
import type { ReportRow } from '../src/types';

export default function ReportScreen(): ReactNode {
  const { call, home } = useField();
  const [rows, setRows] = useState<ReportRow[] | undefined>();
  const [refusal, setRefusal] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [info, setInfo] = useState<string | undefined>();
  const { resume } = useLocalSearchParams<{ resume?: string }>();
  const router = useRouter();
  const resumed = useRef(false);

  useEffect(() => {
    call<{ rows: ReportRow[] }>('/api/v1/reports/jobs').then((r) => setRows(r.rows), (error: unknown) => setNotice(explain(error)));
    // The managed app configuration (signed by Palisade) says whether this device may export.
    palisade()
      .appConfig()
      .then(
        (config) => {
          if (!config.export_allowed) setRefusal(`Palisade treats this device as ${config.ownership === 'corporate' ? 'a company device that may not export' : 'a personal (BYOD) device'}: company data may not be exported to it. Use a company-managed device.`);
        },
        () => undefined,
      );
  }, [call]);

  const onExport = async () => {
    setNotice(undefined);
    setInfo(undefined);
    try {
      // On the web the step-up sign-in leaves the page: coming back, the report resumes the export.
      resumeAfterStepUp('/report?resume=export');
      const response = await palisade().fetch('/api/v1/exports/jobs.csv');
      if (!response.ok) throw PalisadeError.fromProblem(response.status, (await response.json()) as never);
      const size = await saveCsv(response, `jobs-${new Date().toISOString().slice(0, 10)}.csv`);
      setInfo(`Exported (${size} bytes).`);
    } catch (error) {
      if (error instanceof PalisadeError && error.status === 403 && /byod/.test(String((error.problem as { type?: string } | undefined)?.type))) setRefusal(explain(error));
      else setNotice(explain(error));
    } finally {
      resumeAfterStepUp(undefined);
    }
  };

  // Back from the step-up sign-in (web): the export the person asked for goes on, once.
  useEffect(() => {
    if (resume !== 'export' || resumed.current || refusal) return;
    resumed.current = true;
    router.setParams({ resume: undefined });
    setInfo('Signed in again: exporting…');
    void onExport();
  });

  return (
    <View style={styles.screen}>
      <Stack.Screen options={{ title: 'Jobs report' }} />
      <Report rows={rows} canExport={home.sections.includes('export')} exportRefusal={refusal} exportNeedsStepUp={home.exportNeedsStepUp} notice={notice} info={info} onExport={() => void onExport()} />
    </View>
  );
}
