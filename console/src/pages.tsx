/**
 * The console's overview, app keys, audit, alerts, MDM, configuration and compliance pages. Like the others
 * they read and act only through the public /admin/v1 API (palisade.ts).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { Badge, Button, Callout, Card, DataList, Flex, Grid, Heading, Text, TextField } from '@radix-ui/themes';
import { call, signedIn, type Answer } from './palisade.ts';
import { Choice, Confirm, Section, ShownOnce, Table, age, problemText, useGet, useList, when } from './ui.tsx';

interface AppKey { id: string; appId: string; name: string; status: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null; revokedAt: string | null; replacedBy: string | null }
interface AuditEvent {
  id: number;
  seq: number | null;
  at: string;
  action: string;
  outcome: string;
  reason?: string;
  actor: { userId?: string; sessionId?: string; deviceId?: string; appId?: string; ip?: string };
  resource?: { type: string; id?: string };
  requestId?: string;
  changes?: { before?: Record<string, unknown>; after?: Record<string, unknown> };
  detail?: Record<string, unknown>;
}
interface Overview {
  activeSessions: number;
  activeDevices: number;
  compliance: { compliant: number; noncompliant: number; unknown: number };
  audit: { sealedUpTo: number; checkpointN: number; checkpointSeq: number; checkpointAt: string | null };
  signingKeys: { kid: string; alg: string; createdAt: string; activatedAt: string | null; retiredAt: string | null }[];
}
interface Incident { id: string; summary: string; detectedAt: string; openedAt: string; openedBy: string; notifyBy: string; secondsLeft: number; alertsSent: string[] }
interface Delivery { id: string; at: string; rule: string; severity: string; webhook: number; origin: string; attempt: number; attempts: number; outcome: 'delivered' | 'retrying' | 'failed'; reason: string | null }
interface ArchiveBundle { format: string; range: { from: string | null; to: string | null; firstSeq: number | null; lastSeq: number | null; records: number }; exportedAt: string; files: Record<string, string> }
interface VerifyReport { ok: boolean; checked: number; lastSeq: number | null; checkpointsVerified: number; uncovered: number; unsealed?: number; broken?: { seq: number; problem: string; message: string }; checkpoint: { n: number; seq: number; at: string | null } }

const DAY = 86_400_000;

function Stat({ label, value, id }: { label: string; value: string | number; id?: string }) {
  return (
    <Card>
      <Text as="p" size="2" color="gray">{label}</Text>
      <Text as="p" size="6" weight="bold" id={id}>{value}</Text>
    </Card>
  );
}

/** The audit trail's events for a filter (newest first), one page. */
function useAudit(query: string | undefined) {
  return useGet<{ events: AuditEvent[]; next?: string }>(query === undefined ? undefined : `/admin/v1/audit/events?${query}`);
}

/** Time left on a 72-hour clock, in hours and minutes ("overdue by …" past the deadline). */
export function timeLeft(seconds: number): string {
  const abs = Math.abs(seconds);
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const text = hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
  return seconds < 0 ? `overdue by ${text}` : `${text} left`;
}

/** Open personal-data breaches and their 72-hour notification clocks (GDPR Art. 33). */
function BreachClocks() {
  const incidents = useGet<{ incidents: Incident[] }>('/admin/v1/incidents');
  const open = incidents.data?.incidents ?? [];
  return (
    <Card id="breach-clocks">
      <Heading as="h3" size="3" mb="2">Breach notification clock</Heading>
      {incidents.error ? <Text size="2">{incidents.error.text}</Text> : !incidents.data ? <Text size="2">…</Text> : open.length === 0 ? (
        <Text as="p" size="2">No open incident. <code>palisade incident open --summary …</code> starts the 72-hour clock.</Text>
      ) : (
        <Table.Root aria-label="Open incidents">
          <Table.Header>
            <Table.Row><Table.ColumnHeaderCell>Incident</Table.ColumnHeaderCell><Table.ColumnHeaderCell>Detected</Table.ColumnHeaderCell><Table.ColumnHeaderCell>Notify by</Table.ColumnHeaderCell><Table.ColumnHeaderCell>Time left</Table.ColumnHeaderCell></Table.Row>
          </Table.Header>
          <Table.Body>
            {open.map((i) => (
              <Table.Row key={i.id} data-incident={i.id}>
                <Table.RowHeaderCell>{i.summary}</Table.RowHeaderCell>
                <Table.Cell>{when(i.detectedAt)}</Table.Cell>
                <Table.Cell>{when(i.notifyBy)}</Table.Cell>
                <Table.Cell><Badge color={i.secondsLeft < 4 * 3600 ? 'red' : i.secondsLeft < 24 * 3600 ? 'orange' : 'blue'} data-seconds-left={i.secondsLeft}>{timeLeft(i.secondsLeft)}</Badge></Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      {open.length > 0 && <Text as="p" size="1" mt="2" color="gray">The supervisory authority must be told within 72 hours of detection; <code>palisade incident report</code> writes the draft.</Text>}
    </Card>
  );
}

export function OverviewPage() {
  const overview = useGet<Overview>('/admin/v1/overview');
  const [since] = useState(() => new Date(Date.now() - DAY).toISOString());
  const alerts = useAudit(new URLSearchParams({ action: 'alert.', from: since, limit: '200' }).toString());
  const keys = useAppKeys();
  const o = overview.data;
  const bySeverity = (alerts.data?.events ?? []).reduce<Record<string, number>>((acc, e) => {
    const severity = String(e.detail?.severity ?? 'unknown');
    acc[severity] = (acc[severity] ?? 0) + 1;
    return acc;
  }, {});
  return (
    <Section id="overview" title="Overview">
      {overview.error && <Callout.Root color="red" role="alert"><Callout.Text>{overview.error.text}</Callout.Text></Callout.Root>}
      <Grid columns={{ initial: '2', md: '4' }} gap="3" mb="4">
        <Stat label="Active sessions" value={o?.activeSessions ?? '…'} id="stat-sessions" />
        <Stat label="Devices in use" value={o?.activeDevices ?? '…'} id="stat-devices" />
        <Stat label="Alerts, last 24 h" value={alerts.data ? alerts.data.events.length : '…'} id="stat-alerts" />
        <Stat label="Audit records sealed" value={o?.audit.sealedUpTo ?? '…'} />
      </Grid>
      <Grid columns={{ initial: '1', md: '2' }} gap="3">
        <BreachClocks />
        <Card>
          <Heading as="h3" size="3" mb="2">Devices by compliance</Heading>
          {o && (
            <DataList.Root>
              <DataList.Item><DataList.Label><Badge color="green">compliant</Badge></DataList.Label><DataList.Value>{o.compliance.compliant}</DataList.Value></DataList.Item>
              <DataList.Item><DataList.Label><Badge color="red">noncompliant</Badge></DataList.Label><DataList.Value>{o.compliance.noncompliant}</DataList.Value></DataList.Item>
              <DataList.Item><DataList.Label><Badge color="gray">unknown</Badge></DataList.Label><DataList.Value>{o.compliance.unknown}</DataList.Value></DataList.Item>
            </DataList.Root>
          )}
          <Text as="p" size="2" mt="2"><Link href="/devices">All devices</Link></Text>
        </Card>
        <Card>
          <Heading as="h3" size="3" mb="2">Alerts of the last 24 hours</Heading>
          {alerts.error ? <Text size="2">{alerts.error.text}</Text> : Object.keys(bySeverity).length === 0 ? <Text size="2">None.</Text> : (
            <Flex gap="2" wrap="wrap">{Object.entries(bySeverity).map(([severity, n]) => <Badge key={severity} color={severity === 'critical' || severity === 'high' ? 'red' : 'orange'}>{severity}: {n}</Badge>)}</Flex>
          )}
          <Text as="p" size="2" mt="2"><Link href="/alerts">Alerts</Link></Text>
        </Card>
        <Card>
          <Heading as="h3" size="3" mb="2">Audit chain</Heading>
          {o && (
            <Text as="p" size="2" id="chain-state">
              Sealed up to record {o.audit.sealedUpTo}; newest signed checkpoint {o.audit.checkpointN > 0 ? `#${o.audit.checkpointN} covers record ${o.audit.checkpointSeq}, ${age(o.audit.checkpointAt)} ago` : 'not yet made'}.
            </Text>
          )}
          <Text as="p" size="2" mt="2"><Link href="/audit">Verify the chain on the audit page</Link></Text>
        </Card>
        <Card>
          <Heading as="h3" size="3" mb="2">Key ages</Heading>
          <Table.Root aria-label="Key ages">
            <Table.Header>
              <Table.Row><Table.ColumnHeaderCell>Key</Table.ColumnHeaderCell><Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell><Table.ColumnHeaderCell>Age</Table.ColumnHeaderCell></Table.Row>
            </Table.Header>
            <Table.Body>
              {(o?.signingKeys ?? []).map((k) => (
                <Table.Row key={k.kid}><Table.RowHeaderCell>token signing {k.alg} {k.kid.slice(0, 8)}…</Table.RowHeaderCell><Table.Cell>{k.retiredAt ? 'retired' : k.activatedAt && new Date(k.activatedAt).getTime() <= Date.now() ? 'active' : 'next'}</Table.Cell><Table.Cell>{age(k.createdAt)}</Table.Cell></Table.Row>
              ))}
              {keys.rows.filter((k) => k.status === 'active' || k.status === 'rotating').map((k) => (
                <Table.Row key={k.id}><Table.RowHeaderCell>app key {k.appId} / {k.name}</Table.RowHeaderCell><Table.Cell>{k.status}</Table.Cell><Table.Cell>{age(k.createdAt)}</Table.Cell></Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        </Card>
      </Grid>
    </Section>
  );
}

/** Every registered app's keys (for the overview's ages and the app keys page). */
function useAppKeys(app?: string) {
  const apps = useGet<{ apps: { id: string }[] }>('/admin/v1/apps');
  const [rows, setRows] = useState<AppKey[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const ids = app ? [app] : (apps.data?.apps ?? []).map((a) => a.id);
    void Promise.all(ids.map((id) => call<{ keys: AppKey[] }>('GET', `/admin/v1/apps/${encodeURIComponent(id)}/keys`))).then((answers) => {
      const refused = answers.find((a) => a.status !== 200);
      setError(refused ? problemText(refused) : undefined);
      setRows(answers.flatMap((a) => (a.status === 200 ? a.body.keys : [])));
    });
  }, [app, apps.data, version]);
  return { apps: apps.data?.apps ?? [], rows, error: error ?? apps.error?.text, reload: () => setVersion((v) => v + 1) };
}

export function AppKeysPage() {
  const [app, setApp] = useState<string | undefined>();
  const keys = useAppKeys(app);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | undefined>();
  const chosen = app ?? keys.apps[0]?.id;
  useEffect(() => {
    if (!app && keys.apps[0]) setApp(keys.apps[0].id);
  }, [app, keys.apps]);
  const shown = (answer: Answer) => {
    if (typeof answer.body.key === 'string') setSecret(answer.body.key);
    keys.reload();
  };
  const create = (event: FormEvent) => event.preventDefault();
  return (
    <Section id="app-keys" title="App keys">
      <Text as="p" size="2" mb="3" color="gray">An app sends its key as the <code>palisade-app-key</code> header. A key is shown once, when it is made; Palisade keeps only a keyed hash of it.</Text>
      {keys.error && <Callout.Root color="red" role="alert" mb="3"><Callout.Text>{keys.error}</Callout.Text></Callout.Root>}
      {secret && <ShownOnce secret={secret} what="The new app key" />}
      <form onSubmit={create} aria-label="New app key">
        <Flex gap="3" mb="4" align="end" wrap="wrap">
          <Choice id="app-keys-app" label="App" value={chosen ?? ''} onChange={setApp} options={keys.apps.map((a) => a.id)} />
          <Flex direction="column" gap="1">
            <Text as="label" size="2" htmlFor="app-key-name">Name of the new key</Text>
            <TextField.Root id="app-key-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. release 2.4" maxLength={100} />
          </Flex>
          {chosen && (
            <Confirm label="Create key" color="indigo" title={`Create a key for ${chosen}?`} description="The key is shown once, here, to copy into the app’s build or secret store." method="POST" path={`/admin/v1/apps/${encodeURIComponent(chosen)}/keys`} body={JSON.stringify({ name: name.trim() || 'created in the admin console' })} onDone={shown} />
          )}
        </Flex>
      </form>
      <Table.Root aria-label="Keys">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Name</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Id</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Created</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Last used</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Expires</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell><span className="skip">Actions</span></Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {keys.rows.map((k) => (
            <Table.Row key={k.id} data-app-key={k.id}>
              <Table.RowHeaderCell>{k.name}</Table.RowHeaderCell>
              <Table.Cell><code>{k.id}</code></Table.Cell>
              <Table.Cell><Badge color={k.status === 'active' ? 'green' : k.status === 'rotating' ? 'orange' : 'gray'}>{k.status}</Badge></Table.Cell>
              <Table.Cell>{when(k.createdAt)}</Table.Cell>
              <Table.Cell>{when(k.lastUsedAt)}</Table.Cell>
              <Table.Cell>{when(k.expiresAt)}</Table.Cell>
              <Table.Cell>
                <Flex gap="2">
                  {k.status === 'active' && (
                    <Confirm label="Rotate" color="orange" title={`Rotate “${k.name}”?`} description="A new key is made (shown once); the old one keeps working for 7 days so apps in the field can be updated." method="POST" path={`/admin/v1/apps/${encodeURIComponent(k.appId)}/keys/${k.id}/rotate`} body={JSON.stringify({ overlap: '7d' })} onDone={shown} />
                  )}
                  {(k.status === 'active' || k.status === 'rotating') && (
                    <Confirm label="Revoke" title={`Revoke “${k.name}” now?`} description="Apps sending this key are refused from now on." method="DELETE" path={`/admin/v1/apps/${encodeURIComponent(k.appId)}/keys/${k.id}`} onDone={() => keys.reload()} />
                  )}
                </Flex>
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {keys.rows.length === 0 && <Text as="p" mt="3">No keys for this app.</Text>}
    </Section>
  );
}

function Json({ value, label }: { value: unknown; label: string }) {
  return <pre className="json" aria-label={label} tabIndex={0}>{value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>;
}

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Saves a signed range archive as the API sent it: its files are strings inside the JSON, so
 * serialising it again keeps every byte the digests sign. Returns what to tell the person.
 */
export function saveArchive(bundle: ArchiveBundle): string {
  const { firstSeq, lastSeq, records } = bundle.range;
  download(`palisade-audit-${firstSeq ?? 0}-${lastSeq ?? 0}.json`, `${JSON.stringify(bundle)}\n`, 'application/json');
  return records === 0
    ? 'The range holds no record under a signed checkpoint yet: the archive is empty.'
    : `Signed archive of ${records} records (seq ${firstSeq}–${lastSeq}) downloaded. Check it offline with palisade audit verify --archive <file> --keys <the audit keys>; note seq ${lastSeq} apart from the file.`;
}

export function AuditPage() {
  const me = signedIn();
  const [filters, setFilters] = useState({ action: '', user: '', outcome: 'any', resourceType: '', resourceId: '', from: '', to: '' });
  const [query, setQuery] = useState(new URLSearchParams({ limit: '50' }).toString());
  const [pages, setPages] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState<AuditEvent | undefined>();
  const [report, setReport] = useState<VerifyReport | undefined>();
  const [exported, setExported] = useState<string | undefined>();
  // Only the answer to the latest search is shown: a slow first page must not overwrite a search.
  const latest = useRef(0);
  const load = async (before?: string) => {
    const ticket = ++latest.current;
    const answer = await call<{ events: AuditEvent[]; next?: string }>('GET', `/admin/v1/audit/events?${query}${before ? `&before=${before}` : ''}`);
    if (ticket !== latest.current) return;
    if (answer.status !== 200) return setError(problemText(answer));
    setError(undefined);
    setPages((old) => (before ? [...old, ...answer.body.events] : answer.body.events));
    setNext(answer.body.next);
  };
  useEffect(() => {
    void load();
  }, [query]);
  const search = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (filters.action.trim()) params.set('action', filters.action.trim());
    if (filters.user.trim()) params.set('user', filters.user.trim());
    if (filters.outcome !== 'any') params.set('outcome', filters.outcome);
    if (filters.resourceType.trim()) params.set('resourceType', filters.resourceType.trim());
    if (filters.resourceId.trim()) params.set('resourceId', filters.resourceId.trim());
    if (filters.from) params.set('from', new Date(filters.from).toISOString());
    if (filters.to) params.set('to', new Date(filters.to).toISOString());
    setQuery(params.toString());
  };
  const verify = async () => {
    setReport(undefined);
    const answer = await call<VerifyReport>('POST', '/admin/v1/audit/verify');
    if (answer.status === 200) setReport(answer.body);
    else setError(problemText(answer));
  };
  // Export: a signed archive of the searched time range (a hash chain proves only an unbroken
  // run of records, so the other filters do not apply). Step-up: a sign-in older than the
  // step-up age is asked for again, and the download follows the sign-in (App.tsx).
  const exportArchive = async () => {
    setExported(undefined);
    const params = new URLSearchParams(query);
    const range = new URLSearchParams();
    for (const key of ['from', 'to']) if (params.get(key)) range.set(key, params.get(key)!);
    const answer = await call<ArchiveBundle>('GET', `/admin/v1/audit/archive${range.toString() ? `?${range}` : ''}`, undefined, { stepUp: true });
    if (answer.status !== 200) return setError(problemText(answer as unknown as Answer));
    setError(undefined);
    setExported(saveArchive(answer.body));
  };
  const set = (key: keyof typeof filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  const field = (key: keyof typeof filters, label: string, placeholder: string, type = 'text') => (
    <Flex direction="column" gap="1">
      <Text as="label" size="2" htmlFor={`audit-${key}`}>{label}</Text>
      <TextField.Root id={`audit-${key}`} type={type as 'text'} value={filters[key]} onChange={(e) => set(key)(e.target.value)} placeholder={placeholder} />
    </Flex>
  );
  return (
    <Section
      id="audit"
      title="Audit"
      actions={
        <Flex gap="2">
          <Button variant="soft" onClick={() => void verify()} id="verify-chain">Verify the chain</Button>
          <Button variant="soft" onClick={() => void exportArchive()} id="export-audit">Export signed archive</Button>
        </Flex>
      }
    >
      {report && (
        <Callout.Root color={report.ok ? 'green' : 'red'} role="status" mb="3" id="verify-report">
          <Callout.Text>
            {report.ok
              ? `The chain verifies: ${report.checked} records up to ${report.lastSeq ?? 0}, ${report.checkpointsVerified} signed checkpoints; ${report.uncovered} records after the newest checkpoint${report.unsealed ? `, ${report.unsealed} not yet sealed` : ''}.`
              : `The chain is broken at record ${report.broken?.seq}: ${report.broken?.message}`}
          </Callout.Text>
        </Callout.Root>
      )}
      {exported && <Text as="p" role="status" size="2" mb="2" id="export-status">{exported}</Text>}
      <Text as="p" size="1" color="gray" mb="2">The export is the searched time range (From, To) as a signed archive; the other filters narrow the list only.</Text>
      <form onSubmit={search} role="search" aria-label="Search the audit trail">
        <Flex gap="3" mb="4" align="end" wrap="wrap">
          {field('action', 'Action', 'admin. or auth.login')}
          {field('user', 'Actor (user id)', me?.sub ?? '')}
          <Choice id="audit-outcome" label="Outcome" value={filters.outcome} onChange={set('outcome')} options={['any', 'success', 'failure', 'denied', 'error']} />
          {field('resourceType', 'Resource type', 'session')}
          {field('resourceId', 'Resource id', '')}
          {field('from', 'From', '', 'datetime-local')}
          {field('to', 'To', '', 'datetime-local')}
          <Button type="submit">Search</Button>
        </Flex>
      </form>
      {error && <Callout.Root color="red" role="alert" mb="3"><Callout.Text>{error}</Callout.Text></Callout.Root>}
      {open && (
        <Card mb="4" id="audit-detail" aria-label="Record detail">
          <Flex justify="between" align="center" mb="2">
            <Heading as="h3" size="3">Record {open.id}: {open.action}</Heading>
            <Button size="1" variant="soft" onClick={() => setOpen(undefined)}>Close</Button>
          </Flex>
          <DataList.Root size="1" mb="3">
            <DataList.Item><DataList.Label>When</DataList.Label><DataList.Value>{when(open.at)}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Outcome</DataList.Label><DataList.Value>{open.outcome}{open.reason ? ` (${open.reason})` : ''}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Chain position</DataList.Label><DataList.Value>{open.seq ?? 'not yet sealed'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Request</DataList.Label><DataList.Value>{open.requestId ?? '—'}</DataList.Value></DataList.Item>
          </DataList.Root>
          <Grid columns={{ initial: '1', md: '2' }} gap="3">
            <div><Text size="2" weight="bold">Before</Text><Json value={open.changes?.before} label="Before" /></div>
            <div><Text size="2" weight="bold">After</Text><Json value={open.changes?.after} label="After" /></div>
            <div><Text size="2" weight="bold">Actor</Text><Json value={open.actor} label="Actor" /></div>
            <div><Text size="2" weight="bold">Detail</Text><Json value={open.detail} label="Detail" /></div>
          </Grid>
        </Card>
      )}
      <Table.Root aria-label="Audit records">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>When</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Action</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Outcome</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Actor</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Resource</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {pages.map((e) => (
            <Table.Row key={e.id} data-audit={e.id} data-action={e.action}>
              <Table.Cell><Button size="1" variant="ghost" onClick={() => setOpen(e)}>{when(e.at)}<span className="skip"> (record {e.id}: show detail)</span></Button></Table.Cell>
              <Table.Cell>{e.action}</Table.Cell>
              <Table.Cell><Badge color={e.outcome === 'success' ? 'green' : e.outcome === 'denied' ? 'red' : 'orange'}>{e.outcome}</Badge></Table.Cell>
              <Table.Cell className="actor">{e.actor.userId ? (e.actor.userId === me?.sub ? `${me.name} (you)` : e.actor.userId) : e.actor.appId ?? '—'}</Table.Cell>
              <Table.Cell>{e.resource ? `${e.resource.type}${e.resource.id ? ` ${e.resource.id}` : ''}` : '—'}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {pages.length === 0 && <Text as="p" mt="3">No records match.</Text>}
      {next && <Button mt="3" variant="soft" onClick={() => void load(next)}>More</Button>}
    </Section>
  );
}

export function AlertsPage() {
  const [since] = useState(() => new Date(Date.now() - 7 * DAY).toISOString());
  const alerts = useAudit(new URLSearchParams({ action: 'alert.', from: since, limit: '200' }).toString());
  const events = alerts.data?.events ?? [];
  const groups = new Map<string, { rule: string; severity: string; count: number; last: AuditEvent }>();
  for (const e of events) {
    const rule = e.action.replace(/^alert\./, '');
    const severity = String(e.detail?.severity ?? 'unknown');
    const key = `${rule}/${severity}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { rule, severity, count: 1, last: e });
  }
  return (
    <Section id="alerts" title="Alerts">
      <Text as="p" size="2" color="gray" mb="3">Alerts raised in the last 7 days, by rule and severity (each is an <code>alert.*</code> record of the audit trail). Each is sent to the configured webhooks in the background and retried when an attempt fails; the attempts are listed below.</Text>
      {alerts.error && <Callout.Root color="red" role="alert"><Callout.Text>{alerts.error.text}</Callout.Text></Callout.Root>}
      <Table.Root aria-label="Alerts by rule">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Rule</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Severity</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Count</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Latest</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>What</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {[...groups.values()].map((g) => (
            <Table.Row key={`${g.rule}/${g.severity}`}>
              <Table.RowHeaderCell>{g.rule}</Table.RowHeaderCell>
              <Table.Cell><Badge color={g.severity === 'critical' || g.severity === 'high' ? 'red' : 'orange'}>{g.severity}</Badge></Table.Cell>
              <Table.Cell>{g.count}</Table.Cell>
              <Table.Cell>{when(g.last.at)}</Table.Cell>
              <Table.Cell>{g.last.reason ?? '—'}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {alerts.data && groups.size === 0 && <Text as="p" mt="3">No alert in the last 7 days.</Text>}
      <WebhookDeliveries />
    </Section>
  );
}

/** Webhook delivery attempts, newest first: per webhook its latest attempt, then every attempt. */
function WebhookDeliveries() {
  const [outcome, setOutcome] = useState('any');
  const list = useList<Delivery>('deliveries', `/admin/v1/alerts/deliveries?limit=50${outcome === 'any' ? '' : `&outcome=${outcome}`}`);
  const latest = new Map<number, Delivery>();
  for (const d of list.rows) if (!latest.has(d.webhook)) latest.set(d.webhook, d);
  const color = (o: Delivery['outcome']) => (o === 'delivered' ? 'green' : o === 'retrying' ? 'orange' : 'red');
  return (
    <>
      <Flex justify="between" align="end" mt="5" mb="2" wrap="wrap" gap="3">
        <Heading as="h3" size="4">Webhook deliveries</Heading>
        <Flex gap="3" align="end">
          <Choice id="deliveries-outcome" label="Outcome" value={outcome} onChange={setOutcome} options={['any', 'delivered', 'retrying', 'failed']} />
          <Button size="1" variant="soft" onClick={() => void list.reload()}>Refresh</Button>
        </Flex>
      </Flex>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      {latest.size > 0 && (
        <Flex gap="2" mb="3" wrap="wrap" id="webhook-state">
          {[...latest.values()].map((d) => (
            <Badge key={d.webhook} color={color(d.outcome)} size="2">webhook {d.webhook + 1} ({d.origin}): {d.outcome} {age(d.at)} ago</Badge>
          ))}
        </Flex>
      )}
      <Table.Root aria-label="Webhook delivery attempts">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>When</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Webhook</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Alert</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Attempt</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Outcome</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Reason</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {list.rows.map((d) => (
            <Table.Row key={d.id} data-delivery={d.id} data-outcome={d.outcome}>
              <Table.Cell>{when(d.at)}</Table.Cell>
              <Table.Cell>{d.webhook + 1}: {d.origin}</Table.Cell>
              <Table.Cell>{d.rule} <Badge color={d.severity === 'critical' || d.severity === 'high' ? 'red' : 'orange'}>{d.severity}</Badge></Table.Cell>
              <Table.Cell>{d.attempt} of {d.attempts}</Table.Cell>
              <Table.Cell><Badge color={color(d.outcome)}>{d.outcome}</Badge></Table.Cell>
              <Table.Cell>{d.reason ?? '—'}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {list.rows.length === 0 && !list.loading && !list.error && <Text as="p" mt="3">No delivery attempt recorded (no webhook configured, or no alert raised since).</Text>}
      {list.next && <Button mt="3" variant="soft" onClick={list.more}>More</Button>}
    </>
  );
}

export function MdmPage() {
  const syncs = useAudit(new URLSearchParams({ action: 'mdm.', limit: '200' }).toString());
  const devices = useGet<{ devices: { id: string; userName: string | null; userId: string; model: string | null; compliance: string; ownership: string; mdmDeviceId: string | null }[] }>('/admin/v1/devices?ownership=corporate&limit=100');
  const connectors = new Map<string, { last?: AuditEvent; lastError?: AuditEvent }>();
  for (const e of syncs.data?.events ?? []) {
    const vendor = e.resource?.id ?? 'unknown';
    const c = connectors.get(vendor) ?? {};
    if (e.action === 'mdm.sync' && !c.last) c.last = e;
    if ((e.action === 'mdm.sync.failed' || e.outcome !== 'success') && !c.lastError) c.lastError = e;
    connectors.set(vendor, c);
  }
  return (
    <Section id="mdm" title="MDM">
      {syncs.error && <Callout.Root color="red" role="alert"><Callout.Text>{syncs.error.text}</Callout.Text></Callout.Root>}
      <Heading as="h3" size="4" mb="2">Connectors</Heading>
      <Table.Root aria-label="MDM connectors">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>MDM</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Last sync</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Last error</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {[...connectors.entries()].map(([vendor, c]) => (
            <Table.Row key={vendor}>
              <Table.RowHeaderCell>{vendor}</Table.RowHeaderCell>
              <Table.Cell>{c.last ? `${when(c.last.at)} (${age(c.last.at)} ago)` : 'never'}</Table.Cell>
              <Table.Cell>{c.lastError ? `${when(c.lastError.at)}: ${c.lastError.reason ?? c.lastError.action}` : 'none'}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {syncs.data && connectors.size === 0 && <Text as="p" mt="2">No MDM has synced or sent a notification yet (docs/mdm.md says how to connect one).</Text>}
      <Heading as="h3" size="4" mt="5" mb="2">Managed devices</Heading>
      <Table.Root aria-label="Devices mapped to an MDM">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Person</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Device</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>MDM device id</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Compliance</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {(devices.data?.devices ?? []).map((d) => (
            <Table.Row key={d.id}>
              <Table.Cell><Link href={`/people/${d.userId}`}>{d.userName ?? d.userId}</Link></Table.Cell>
              <Table.Cell>{d.model ?? '—'}</Table.Cell>
              <Table.Cell><code>{d.mdmDeviceId ?? '—'}</code></Table.Cell>
              <Table.Cell>{d.compliance}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
    </Section>
  );
}

export function ConfigurationPage() {
  const config = useGet<{ source: string; production: boolean; settings: Record<string, unknown>; findings: { kind: string; text: string }[] }>('/admin/v1/configuration');
  const c = config.data;
  return (
    <Section id="configuration" title="Configuration">
      {config.error && <Callout.Root color="red" role="alert"><Callout.Text>{config.error.text}</Callout.Text></Callout.Root>}
      {c && (
        <>
          <Text as="p" size="2" mb="3">From {c.source}{c.production ? ', production' : ', development'}. Secrets are removed, and URLs are shown as their origin only.</Text>
          <Heading as="h3" size="4" mb="2">Findings of the configuration check</Heading>
          {c.findings.length === 0 ? <Text as="p" size="2" mb="3">None.</Text> : (
            <ul className="findings">
              {c.findings.map((f) => <li key={f.text}><Badge color={f.kind === 'warning' ? 'orange' : 'gray'}>{f.kind}</Badge> {f.text}</li>)}
            </ul>
          )}
          <Heading as="h3" size="4" my="2">Effective configuration</Heading>
          <Json value={c.settings} label="Effective configuration" />
        </>
      )}
    </Section>
  );
}

type ControlStatus = 'met' | 'not-met' | 'operator';
interface ComplianceReport {
  generatedAt: string;
  disclaimer: string;
  instance: { publicUrl: string; production: boolean; configSource: string };
  summary: { met: number; notMet: number; operator: number; controls: number };
  evidence: {
    lastAuditVerify: { at: string; ok: boolean; checked: number | null; firstSeq: number | null; lastSeq: number | null; via: 'api' | 'cli' | null } | null;
    signingKeys: { kid: string; alg: string; ageDays: number; state: string }[];
    appKeys: { appId: string; id: string; status: string; ageDays: number }[];
    openIncidents: { id: string; secondsLeft: number; notifyBy: string }[];
  };
  checks: { id: string; title: string; status: ControlStatus; summary: string; fix?: string; tests: string[] }[];
  frameworks: { id: string; name: string; summary: { met: number; notMet: number; operator: number }; controls: { id: string; ref: string; title: string; status: ControlStatus; checks: string[]; fixes: string[]; responsibility?: string }[] }[];
}

const STATUS_BADGE: Record<ControlStatus, { color: 'green' | 'red' | 'indigo'; label: string }> = {
  met: { color: 'green', label: 'met' },
  'not-met': { color: 'red', label: 'not met' },
  operator: { color: 'indigo', label: 'operator’s' },
};
const StatusBadge = ({ status }: { status: ControlStatus }) => <Badge color={STATUS_BADGE[status].color}>{STATUS_BADGE[status].label}</Badge>;

/** The compliance report (GET /admin/v1/compliance), evaluated live when the page opens. */
export function CompliancePage() {
  const report = useGet<ComplianceReport>('/admin/v1/compliance');
  const r = report.data;
  const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;
  return (
    <Section id="compliance" title="Compliance">
      {report.error && <Callout.Root color="red" role="alert"><Callout.Text>{report.error.text}</Callout.Text></Callout.Root>}
      {r && (
        <>
          <Callout.Root color="amber" mb="3"><Callout.Text><strong>Not a certification.</strong> {r.disclaimer}</Callout.Text></Callout.Root>
          <Grid columns={{ initial: '1', sm: '4' }} gap="3" mb="4">
            <Stat label="Controls" value={r.summary.controls} />
            <Stat label="Met" value={r.summary.met} id="compliance-met" />
            <Stat label="Not met" value={r.summary.notMet} id="compliance-not-met" />
            <Stat label="Operator’s responsibility" value={r.summary.operator} />
          </Grid>
          <Text as="p" size="2" mb="3">Evaluated {when(r.generatedAt)} from {r.instance.configSource}{r.instance.production ? ', production' : ', not production'}. Evidence is read live from the configuration and the database.</Text>
          <Heading as="h3" size="4" mb="2">Evidence</Heading>
          <DataList.Root mb="4">
            <DataList.Item><DataList.Label>Last audit verification</DataList.Label><DataList.Value>{r.evidence.lastAuditVerify ? `${when(r.evidence.lastAuditVerify.at)}: ${r.evidence.lastAuditVerify.ok ? 'chain intact' : 'chain BROKEN'}` : 'none recorded (Audit page: Verify)'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Signing keys</DataList.Label><DataList.Value>{r.evidence.signingKeys.map((k) => `${k.kid} (${k.state}, ${k.ageDays} d)`).join(', ') || 'none'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>App keys</DataList.Label><DataList.Value>{r.evidence.appKeys.map((k) => `${k.appId} ${k.status}, ${k.ageDays} d`).join('; ') || 'none'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Breach clocks</DataList.Label><DataList.Value>{r.evidence.openIncidents.map((i) => `${i.id}: ${i.secondsLeft < 0 ? `overdue by ${hours(-i.secondsLeft)}` : `${hours(i.secondsLeft)} left`}`).join('; ') || 'no open incident'}</DataList.Value></DataList.Item>
          </DataList.Root>
          {r.frameworks.map((f) => (
            <div key={f.id}>
              <Heading as="h3" size="4" mt="4" mb="2">{f.name} <Text size="2" color="gray">({f.summary.met} met, {f.summary.notMet} not met, {f.summary.operator} operator’s)</Text></Heading>
              <Table.Root aria-label={f.name}>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeaderCell>Control</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Fix or responsibility</Table.ColumnHeaderCell>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {f.controls.map((c) => (
                    <Table.Row key={c.id}>
                      <Table.Cell><strong>{c.ref}</strong> {c.title}</Table.Cell>
                      <Table.Cell><StatusBadge status={c.status} /></Table.Cell>
                      <Table.Cell>{[...c.fixes, ...(c.responsibility ? [`Operator: ${c.responsibility}`] : [])].map((t) => <Text as="p" size="2" key={t}>{t}</Text>)}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table.Root>
            </div>
          ))}
          <Heading as="h3" size="4" mt="5" mb="2">Checks</Heading>
          <Table.Root aria-label="Compliance checks">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeaderCell>Check</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Finding</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Guarded by</Table.ColumnHeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {r.checks.map((c) => (
                <Table.Row key={c.id}>
                  <Table.Cell><strong>{c.title}</strong></Table.Cell>
                  <Table.Cell><StatusBadge status={c.status} /></Table.Cell>
                  <Table.Cell>{c.summary}{c.fix && <Text as="p" size="2" color="gray">Fix: {c.fix}</Text>}</Table.Cell>
                  <Table.Cell>{c.tests.map((t) => <Text as="p" size="1" key={t}><code>{t}</code></Text>)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        </>
      )}
    </Section>
  );
}
