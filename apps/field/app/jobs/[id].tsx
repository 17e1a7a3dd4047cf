/** One job, fetched on demand; the technician's workflow and photo upload, the dispatcher's assignment. */
import { Stack, useLocalSearchParams } from 'expo-router';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { View } from 'react-native';
import { explain, isOffline } from '../../src/palisade';
import { pickPhoto } from '../../src/photo';
import { useField } from '../../src/session';
import { JobDetail } from '../../src/screens/job';
import { Notice, styles } from '../../src/screens/ui';
import type { Job, Site, Technician } from '../../src/types';

export default function JobScreen(): ReactNode {
  const { id } = useLocalSearchParams<{ id: string }>();
  const { home, call, me } = useField();
  const [job, setJob] = useState<Job | undefined>();
  const [site, setSite] = useState<Site | undefined>();
  const [technicians, setTechnicians] = useState<Technician[] | undefined>();
  const [photos, setPhotos] = useState<number | undefined>();
  const [offline, setOffline] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [info, setInfo] = useState<string | undefined>();
  const has = (name: string) => me.permissions.some((p) => p.name === name);
  const canMove = has('jobs.status');
  const canUpload = has('photos.upload');
  const canAssign = home.sections.includes('assign');

  const load = useCallback(async () => {
    try {
      const found = await call<Job>(`/api/v1/jobs/${encodeURIComponent(id)}`);
      setJob(found);
      setOffline(false);
      setSite(await call<Site>(`/api/v1/sites/${encodeURIComponent(found.siteId)}`));
      if (canUpload) setPhotos((await call<{ photos: unknown[] }>(`/api/v1/jobs/${encodeURIComponent(id)}/photos`)).photos.length);
      if (canAssign) setTechnicians((await call<{ technicians: Technician[] }>('/api/v1/technicians?limit=200')).technicians);
    } catch (error) {
      if (isOffline(error)) setOffline(true);
      else setNotice(explain(error));
    }
  }, [call, id, canUpload, canAssign]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (what: () => Promise<Job>, done: string) => {
    setNotice(undefined);
    setInfo(undefined);
    try {
      setJob(await what());
      setInfo(done);
    } catch (error) {
      // A 409 (the job moved on elsewhere, or this step is not next) is the server's own words.
      setNotice(isOffline(error) ? 'No connection: try again when you have one.' : explain(error));
    }
  };

  const onPhoto = async () => {
    setNotice(undefined);
    setInfo(undefined);
    try {
      const photo = await pickPhoto();
      if (!photo) return;
      await call(`/api/v1/jobs/${encodeURIComponent(id)}/photos`, { method: 'POST', body: photo.bytes, headers: { 'content-type': photo.type } });
      setPhotos((n) => (n ?? 0) + 1);
      setInfo('Photo uploaded.');
    } catch (error) {
      setNotice(explain(error));
    }
  };

  return (
    <View style={styles.screen}>
      <Stack.Screen options={{ title: job?.title ?? 'Job' }} />
      {job ? (
        <JobDetail
          job={job}
          site={site}
          offline={offline}
          notice={notice}
          info={info}
          canMove={canMove}
          canUpload={canUpload}
          technicians={canAssign ? (technicians ?? []) : undefined}
          photos={photos}
          onMove={(status) => void act(() => call<Job>(`/api/v1/jobs/${encodeURIComponent(id)}/status`, { method: 'POST', body: { status } }), 'Status updated.')}
          onAssign={(technicianId) => void act(() => call<Job>(`/api/v1/jobs/${encodeURIComponent(id)}/assignment`, { method: 'PUT', body: { technicianId } }), 'Assigned.')}
          onPhoto={() => void onPhoto()}
        />
      ) : (
        <Notice text={offline ? 'This job needs a connection.' : notice} testID="job-notice" />
      )}
    </View>
  );
}
