/**
 * The console's shell and its people, sessions and devices pages. Everything shown comes from
 * the public /admin/v1 API through palisade.ts, the adapter over the SDK's web build (authorized by the permission stage, audited);
 * nothing is shown before the caller's permissions say they may see it. The other pages are in
 * pages.tsx, the shared pieces in ui.tsx.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Route, Router, Switch, useLocation, useParams } from 'wouter';
import { Badge, Box, Button, Callout, Card, Container, DataList, Flex, Heading, Spinner, Text, TextField, Theme } from '@radix-ui/themes';
import { call, signIn, signOut, signedIn, start } from './palisade.ts';
import { Choice, Confirm, Section, ShownOnce, Table, problemText, useGet, useList, when } from './ui.tsx';
import { AlertsPage, AppKeysPage, AuditPage, CompliancePage, ConfigurationPage, MdmPage, OverviewPage, saveArchive } from './pages.tsx';

interface Person { id: string; name: string | null; email: string | null; roles: string[]; status: string; openSessions: number; lastLoginAt: string | null }
interface PersonDetail {
  id: string;
  name: string | null;
  email: string | null;
  userName: string | null;
  roles: string[];
  status: 'active' | 'disabled';
  disabledAt: string | null;
  department: string | null;
  territory: string | null;
  region: string | null;
  projects: string[];
  employeeType: string | null;
}
interface RoleLists { roles: string[]; fromGroups: string[]; granted: string[]; removed: string[] }
interface SessionRow { id: string; userId: string; userName: string | null; clientId: string; state: string; createdAt: string; lastSeenAt: string; endedReason: string | null; platform: string | null; model: string | null }
interface DeviceRow { id: string; userId: string; userName: string | null; clientId: string; platform: string | null; model: string | null; state: string; ownership: string; compliance: string; lastSeenAt: string; openSessions: number }
interface Command { id: string; deviceId: string; kind: string; state: 'pending' | 'delivered' | 'acknowledged'; requestedAt: string; deliveredAt: string | null; acknowledgedAt: string | null; deliveryCount: number }

const ROLES = ['technician', 'dispatcher', 'manager', 'admin'];

type Phase = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'refused'; roles: string[] } | { kind: 'ready'; notice?: string; secret?: string } | { kind: 'error'; message: string };

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  useEffect(() => {
    (async () => {
      const finished = await start();
      if (!finished || !signedIn()) return setPhase({ kind: 'signed-out' });
      // The permission matrix decides who may use the console: without `sessions.read` nothing is fetched.
      const permissions = await call<{ roles: string[]; permissions: { name: string }[] }>('GET', '/api/v1/me/permissions');
      if (permissions.status !== 200) return setPhase({ kind: 'error', message: problemText(permissions) });
      if (!permissions.body.permissions.some((p) => p.name === 'sessions.read')) return setPhase({ kind: 'refused', roles: permissions.body.roles });
      if (finished.returnTo && finished.returnTo !== location.pathname) history.replaceState(null, '', finished.returnTo);
      const retried = finished.retried;
      // A key created or rotated behind a step-up is in the retried call's answer: shown here, once.
      const secret = typeof retried?.body.key === 'string' ? retried.body.key : undefined;
      // An audit archive asked for behind a step-up is in the retried call's answer: saved now.
      const archive = retried && retried.status === 200 && retried.body.format === 'palisade-audit-archive-bundle/1' ? saveArchive(retried.body as unknown as Parameters<typeof saveArchive>[0]) : undefined;
      setPhase({
        kind: 'ready',
        ...(retried ? { notice: retried.status >= 200 && retried.status < 300 ? `Signed in again: ${archive ?? 'the action was carried out.'}` : `Signed in again, but the action was refused (${retried.status ? `HTTP ${retried.status}` : problemText(retried)}).` } : {}),
        ...(secret && retried && retried.status < 300 ? { secret } : {}),
      });
    })().catch((error: unknown) => setPhase({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
  }, []);

  return (
    <Theme accentColor="indigo" grayColor="slate" radius="medium">
      <a className="skip" href="#main">Skip to content</a>
      <Router base="/console">
        <Shell phase={phase} />
      </Router>
    </Theme>
  );
}

const PAGES: [string, string][] = [
  ['/', 'Overview'],
  ['/people', 'People'],
  ['/sessions', 'Sessions'],
  ['/devices', 'Devices'],
  ['/app-keys', 'App keys'],
  ['/audit', 'Audit'],
  ['/alerts', 'Alerts'],
  ['/mdm', 'MDM'],
  ['/configuration', 'Configuration'],
  ['/compliance', 'Compliance'],
];

function Shell({ phase }: { phase: Phase }) {
  const who = signedIn();
  return (
    <Flex direction="column" className="shell">
      <Box asChild px="5" py="3">
        <header>
          <Flex justify="between" align="center" gap="4" wrap="wrap">
            <Heading as="h1" size="5">Palisade admin console</Heading>
            {phase.kind === 'ready' && (
              <nav aria-label="Main" className="nav">
                <Flex gap="4" wrap="wrap">
                  {PAGES.map(([href, label]) => <NavLink key={href} href={href}>{label}</NavLink>)}
                </Flex>
              </nav>
            )}
            {who && (
              <Flex gap="3" align="center">
                <Text size="2" id="signed-in-as">{who.name}</Text>
                <Button variant="soft" onClick={() => void signOut().then(() => location.assign('/console/'))}>Sign out</Button>
              </Flex>
            )}
          </Flex>
        </header>
      </Box>
      <Container size="4" px="5" pb="6" asChild>
        <main id="main">
          {phase.kind === 'loading' && <Flex gap="2" align="center"><Spinner /> <Text>Loading…</Text></Flex>}
          {phase.kind === 'signed-out' && (
            <Card>
              <Heading as="h2" size="4" mb="2">Sign in</Heading>
              <Text as="p" mb="3">Sign in with your company account. Only administrators see anything here.</Text>
              <Button id="sign-in" onClick={() => void signIn()}>Sign in</Button>
            </Card>
          )}
          {phase.kind === 'refused' && (
            <Callout.Root color="red" role="alert" id="refused">
              <Callout.Text>
                <strong>You do not have access to the admin console.</strong> Your roles ({phase.roles.join(', ') || 'none'}) do not include the
                permission to see other people’s sessions and devices. Ask an administrator if you need it.
              </Callout.Text>
            </Callout.Root>
          )}
          {phase.kind === 'error' && (
            <Callout.Root color="red" role="alert">
              <Callout.Text>{phase.message}</Callout.Text>
            </Callout.Root>
          )}
          {phase.kind === 'ready' && (
            <>
              {phase.notice && (
                <Callout.Root color="green" mb="3" role="status" id="notice">
                  <Callout.Text>{phase.notice}</Callout.Text>
                </Callout.Root>
              )}
              {phase.secret && <ShownOnce secret={phase.secret} what="The new app key" />}
              <Switch>
                <Route path="/"><OverviewPage /></Route>
                <Route path="/people"><PeoplePage /></Route>
                <Route path="/people/:id"><PersonPage /></Route>
                <Route path="/sessions"><SessionsPage /></Route>
                <Route path="/devices"><DevicesPage /></Route>
                <Route path="/app-keys"><AppKeysPage /></Route>
                <Route path="/audit"><AuditPage /></Route>
                <Route path="/alerts"><AlertsPage /></Route>
                <Route path="/mdm"><MdmPage /></Route>
                <Route path="/configuration"><ConfigurationPage /></Route>
                <Route path="/compliance"><CompliancePage /></Route>
                <Route><Text>There is no such page.</Text></Route>
              </Switch>
            </>
          )}
        </main>
      </Container>
    </Flex>
  );
}

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [location] = useLocation();
  const current = href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`);
  return <Link href={href} aria-current={current ? 'page' : undefined}>{children}</Link>;
}

function PeoplePage() {
  const [query, setQuery] = useState('');
  const [role, setRole] = useState('any');
  const [status, setStatus] = useState('any');
  const [search, setSearch] = useState<string>('/admin/v1/users?limit=50');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (query.trim()) params.set('q', query.trim());
    if (role !== 'any') params.set('role', role);
    if (status !== 'any') params.set('status', status);
    setSearch(`/admin/v1/users?${params}`);
  };
  const list = useList<Person>('users', search);
  return (
    <Section id="people" title="People">
      <form onSubmit={submit} role="search" aria-label="Find people">
        <Flex gap="3" mb="4" align="end" wrap="wrap">
          <Flex direction="column" gap="1">
            <Text as="label" size="2" htmlFor="people-search">Name or e-mail</Text>
            <TextField.Root id="people-search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. Tess" />
          </Flex>
          <Choice id="people-role" label="Role" value={role} onChange={setRole} options={['any', ...ROLES]} />
          <Choice id="people-status" label="Status" value={status} onChange={setStatus} options={['any', 'active', 'disabled']} />
          <Button type="submit">Search</Button>
        </Flex>
      </form>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      <Table.Root aria-label="People">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Name</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>E-mail</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Roles</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Open sessions</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {list.rows.map((p) => (
            <Table.Row key={p.id} data-person={p.id}>
              <Table.RowHeaderCell><Link href={`/people/${p.id}`}>{p.name ?? '(no name)'}</Link></Table.RowHeaderCell>
              <Table.Cell>{p.email ?? '—'}</Table.Cell>
              <Table.Cell><Flex gap="1">{p.roles.map((r) => <Badge key={r}>{r}</Badge>)}</Flex></Table.Cell>
              <Table.Cell><Badge color={p.status === 'active' ? 'green' : 'red'}>{p.status}</Badge></Table.Cell>
              <Table.Cell>{p.openSessions}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {list.rows.length === 0 && !list.loading && <Text as="p" mt="3">Nobody matches.</Text>}
      {list.next && <Button mt="3" variant="soft" onClick={list.more}>More</Button>}
    </Section>
  );
}

function SessionsTable({ rows, reload, showPerson }: { rows: SessionRow[]; reload: () => void; showPerson: boolean }) {
  return (
    <Table.Root aria-label="Sessions">
      <Table.Header>
        <Table.Row>
          {showPerson && <Table.ColumnHeaderCell>Person</Table.ColumnHeaderCell>}
          <Table.ColumnHeaderCell>App</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Device</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>State</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Started</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Last seen</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell><span className="skip">Actions</span></Table.ColumnHeaderCell>
        </Table.Row>
      </Table.Header>
      <Table.Body>
        {rows.map((s) => (
          <Table.Row key={s.id} data-session={s.id}>
            {showPerson && <Table.Cell><Link href={`/people/${s.userId}`}>{s.userName ?? s.userId}</Link></Table.Cell>}
            <Table.Cell>{s.clientId}</Table.Cell>
            <Table.Cell>{[s.platform, s.model].filter(Boolean).join(' ') || '—'}</Table.Cell>
            <Table.Cell><Badge color={s.state === 'active' ? 'green' : s.state === 'locked' ? 'orange' : 'gray'}>{s.state}{s.endedReason ? ` (${s.endedReason})` : ''}</Badge></Table.Cell>
            <Table.Cell>{when(s.createdAt)}</Table.Cell>
            <Table.Cell>{when(s.lastSeenAt)}</Table.Cell>
            <Table.Cell>
              {(s.state === 'active' || s.state === 'locked') && (
                <Confirm label="End session" title="End this session?" description={`The ${s.clientId} session is ended at once on every instance; the app must sign in again.`} method="DELETE" path={`/admin/v1/sessions/${encodeURIComponent(s.id)}`} onDone={reload} />
              )}
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table.Root>
  );
}

/** A device's newest wipe or lock command: ordered, delivered (the device fetched it), acknowledged (done). */
function CommandState({ deviceId, version }: { deviceId: string; version: number }) {
  const [command, setCommand] = useState<Command | undefined>();
  useEffect(() => {
    void call<{ commands: Command[] }>('GET', `/admin/v1/device-commands?deviceId=${encodeURIComponent(deviceId)}`).then((a) => {
      if (a.status === 200) setCommand(a.body.commands.at(-1));
    });
  }, [deviceId, version]);
  if (!command) return <Text color="gray">—</Text>;
  const at = command.state === 'acknowledged' ? command.acknowledgedAt : command.state === 'delivered' ? command.deliveredAt : command.requestedAt;
  return (
    <Text data-command-state={command.state} size="2">
      {command.kind}: <Badge color={command.state === 'acknowledged' ? 'green' : command.state === 'delivered' ? 'blue' : 'orange'}>{command.state}</Badge> {when(at)}
    </Text>
  );
}

function DevicesTable({ rows, reload, showPerson, version }: { rows: DeviceRow[]; reload: () => void; showPerson: boolean; version: number }) {
  return (
    <Table.Root aria-label="Devices">
      <Table.Header>
        <Table.Row>
          {showPerson && <Table.ColumnHeaderCell>Person</Table.ColumnHeaderCell>}
          <Table.ColumnHeaderCell>App</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Device</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>State</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Ownership</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Compliance</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Last seen</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Command</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell><span className="skip">Actions</span></Table.ColumnHeaderCell>
        </Table.Row>
      </Table.Header>
      <Table.Body>
        {rows.map((d) => (
          <Table.Row key={d.id} data-device={d.id}>
            {showPerson && <Table.Cell><Link href={`/people/${d.userId}`}>{d.userName ?? d.userId}</Link></Table.Cell>}
            <Table.Cell>{d.clientId}</Table.Cell>
            <Table.Cell>{[d.platform, d.model].filter(Boolean).join(' ') || '—'}</Table.Cell>
            <Table.Cell><Badge>{d.state}</Badge></Table.Cell>
            <Table.Cell>{d.ownership}</Table.Cell>
            <Table.Cell><Badge color={d.compliance === 'compliant' ? 'green' : d.compliance === 'noncompliant' ? 'red' : 'gray'}>{d.compliance}</Badge></Table.Cell>
            <Table.Cell>{when(d.lastSeenAt)}</Table.Cell>
            <Table.Cell>{d.state === 'wiped' || d.state === 'locked' ? <CommandState deviceId={d.id} version={version} /> : '—'}</Table.Cell>
            <Table.Cell>
              <Flex gap="2" wrap="wrap">
                {d.state === 'active' && (
                  <Confirm label="Evict" color="orange" title="Evict this device?" description="The device is revoked (lost or stolen): its sessions end now and it cannot sign in again." method="DELETE" path={`/admin/v1/devices/${d.id}`} onDone={reload} />
                )}
                {(d.state === 'active' || d.state === 'locked') && (
                  <>
                    {d.state === 'active' && <Confirm label="Lock" color="orange" title="Lock the app on this device?" description="Its sessions are locked now; the app receives the signed lock command at its next call." method="POST" path={`/admin/v1/devices/${d.id}/lock`} askReason="locked from the admin console" onDone={reload} />}
                    <Confirm label="Wipe" title="Wipe the app’s data on this device?" description="Its sessions end now, it cannot sign in again, and the app erases its data when it receives the signed command." method="POST" path={`/admin/v1/devices/${d.id}/wipe`} askReason="wiped from the admin console" onDone={reload} />
                  </>
                )}
              </Flex>
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table.Root>
  );
}

/** Grant or remove one role: the lists are declarative, so the page sends the whole new pair. */
function changeRole(lists: RoleLists, role: string, grant: boolean): { granted: string[]; removed: string[] } {
  let granted = lists.granted.filter((r) => r !== role);
  let removed = lists.removed.filter((r) => r !== role);
  if (grant && !lists.fromGroups.includes(role)) granted = [...granted, role];
  if (!grant && lists.fromGroups.includes(role)) removed = [...removed, role];
  return { granted, removed };
}

function RolesPanel({ id, name }: { id: string; name: string }) {
  const roles = useGet<RoleLists>(`/admin/v1/users/${encodeURIComponent(id)}/roles`);
  if (!roles.data) {
    return (
      <Card my="3">
        <Heading as="h3" size="3" mb="2">Roles</Heading>
        {roles.error?.status === 401 ? (
          <Flex gap="3" align="center" wrap="wrap">
            <Text size="2">Where each role comes from is shown after a recent sign-in (role management is a sensitive action).</Text>
            <Button size="1" variant="soft" onClick={() => void call('GET', `/admin/v1/users/${encodeURIComponent(id)}/roles`, undefined, { stepUp: true }).then(() => roles.reload())}>Sign in again to manage roles</Button>
          </Flex>
        ) : (
          <Text size="2" color="gray">{roles.error?.text ?? 'Loading…'}</Text>
        )}
      </Card>
    );
  }
  const lists = roles.data;
  return (
    <Card my="3" aria-label="Roles">
      <Heading as="h3" size="3" mb="2">Roles</Heading>
      <Table.Root aria-label="Roles of this person">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Role</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Has it</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Why</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell><span className="skip">Actions</span></Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {ROLES.map((role) => {
            const has = lists.roles.includes(role);
            const why = lists.granted.includes(role) ? 'granted here' : lists.removed.includes(role) ? 'from groups, removed here' : lists.fromGroups.includes(role) ? 'from groups' : '—';
            return (
              <Table.Row key={role} data-role={role}>
                <Table.RowHeaderCell>{role}</Table.RowHeaderCell>
                <Table.Cell>{has ? <Badge color="green">yes</Badge> : <Badge color="gray">no</Badge>}</Table.Cell>
                <Table.Cell>{why}</Table.Cell>
                <Table.Cell>
                  <Confirm
                    label={has ? `Remove ${role}` : `Grant ${role}`}
                    color={has ? 'red' : 'indigo'}
                    title={has ? `Remove the ${role} role from ${name}?` : `Grant ${name} the ${role} role?`}
                    description={has ? 'It applies at their next request; with no role left, their sessions end.' : 'It applies at their next request.'}
                    method="PUT"
                    path={`/admin/v1/users/${encodeURIComponent(id)}/roles`}
                    body={JSON.stringify(changeRole(lists, role, !has))}
                    onDone={() => void roles.reload()}
                  />
                </Table.Cell>
              </Table.Row>
            );
          })}
        </Table.Body>
      </Table.Root>
    </Card>
  );
}

function PersonPage() {
  const { id } = useParams<{ id: string }>();
  const person = useGet<PersonDetail>(`/admin/v1/users/${encodeURIComponent(id)}`);
  const sessions = useList<SessionRow>('sessions', `/admin/v1/sessions?user=${encodeURIComponent(id)}&limit=100`);
  const devices = useList<DeviceRow>('devices', `/admin/v1/devices?user=${encodeURIComponent(id)}&limit=100`);
  const [version, setVersion] = useState(0);
  const p = person.data;
  const name = p?.name ?? p?.email ?? id;
  const open = sessions.rows.filter((s) => s.state === 'active' || s.state === 'locked').length;
  const reloadAll = () => {
    void person.reload();
    void sessions.reload();
    void devices.reload();
    setVersion((v) => v + 1);
  };
  if (person.error) return <Callout.Root color="red" role="alert"><Callout.Text>{person.error.text}</Callout.Text></Callout.Root>;
  return (
    <section aria-labelledby="person-heading">
      <Flex justify="between" align="center" wrap="wrap" gap="3">
        <Heading as="h2" size="6" id="person-heading">{name}</Heading>
        {p && (
          <Flex gap="2" align="center">
            <Badge size="2" color={p.status === 'active' ? 'green' : 'red'} id="person-status">{p.status}</Badge>
            {p.status === 'active' ? (
              <Confirm label="Disable (contain)" title={`Contain ${name}?`} description="Their account is disabled (sign-in refused), every session ends on every instance and every device is marked wiped." method="POST" path={`/admin/v1/users/${encodeURIComponent(id)}/disable`} askReason="contained from the admin console" onDone={reloadAll} />
            ) : (
              <Confirm label="Re-enable" color="green" title={`Re-enable ${name}?`} description="They can sign in again; their devices stay wiped (they enrol again by signing in on a fresh install)." method="POST" path={`/admin/v1/users/${encodeURIComponent(id)}/enable`} askReason="released from the admin console" onDone={reloadAll} />
            )}
          </Flex>
        )}
      </Flex>
      {p && (
        <Card my="3">
          <DataList.Root size="2" aria-label="Attributes">
            <DataList.Item><DataList.Label>E-mail</DataList.Label><DataList.Value>{p.email ?? '—'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>User name</DataList.Label><DataList.Value>{p.userName ?? '—'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Roles</DataList.Label><DataList.Value><Flex gap="1">{p.roles.map((r) => <Badge key={r}>{r}</Badge>)}{p.roles.length === 0 && 'none'}</Flex></DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Department</DataList.Label><DataList.Value>{p.department ?? '—'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Territory / region</DataList.Label><DataList.Value>{[p.territory, p.region].filter(Boolean).join(' / ') || '—'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Projects</DataList.Label><DataList.Value>{p.projects.join(', ') || '—'}</DataList.Value></DataList.Item>
            <DataList.Item><DataList.Label>Employee type</DataList.Label><DataList.Value>{p.employeeType ?? '—'}</DataList.Value></DataList.Item>
            {p.disabledAt && <DataList.Item><DataList.Label>Disabled since</DataList.Label><DataList.Value>{when(p.disabledAt)}</DataList.Value></DataList.Item>}
          </DataList.Root>
        </Card>
      )}
      {p && <RolesPanel id={id} name={name} />}
      <Flex justify="between" align="center" mt="4" mb="2">
        <Heading as="h3" size="4">Sessions ({open} open)</Heading>
        {open > 0 && <Confirm label="End all sessions" title={`End every session of ${name}?`} description="Every session on every device ends now; each app must sign in again." method="DELETE" path={`/admin/v1/users/${encodeURIComponent(id)}/sessions`} onDone={() => void sessions.reload()} />}
      </Flex>
      {sessions.error && <Callout.Root color="red" role="alert"><Callout.Text>{sessions.error}</Callout.Text></Callout.Root>}
      <SessionsTable rows={sessions.rows} reload={() => void sessions.reload()} showPerson={false} />
      <Flex justify="between" align="center" mt="5" mb="2">
        <Heading as="h3" size="4">Devices</Heading>
        <Button size="1" variant="soft" onClick={reloadAll}>Refresh</Button>
      </Flex>
      <DevicesTable rows={devices.rows} reload={reloadAll} showPerson={false} version={version} />
    </section>
  );
}

function SessionsPage() {
  const [state, setState] = useState('active');
  const list = useList<SessionRow>('sessions', `/admin/v1/sessions?limit=50${state === 'any' ? '' : `&state=${state}`}`);
  return (
    <Section id="sessions" title="Sessions">
      <Flex gap="2" mb="3" align="center">
        <Choice id="sessions-state" label="State" value={state} onChange={setState} options={['any', 'active', 'locked', 'ended', 'expired']} />
      </Flex>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      <SessionsTable rows={list.rows} reload={() => void list.reload()} showPerson />
      {list.next && <Button mt="3" variant="soft" onClick={list.more}>More</Button>}
    </Section>
  );
}

function DevicesPage() {
  const [compliance, setCompliance] = useState('any');
  const [state, setState] = useState('any');
  const [ownership, setOwnership] = useState('any');
  const [version, setVersion] = useState(0);
  const params = new URLSearchParams({ limit: '50' });
  if (compliance !== 'any') params.set('compliance', compliance);
  if (state !== 'any') params.set('state', state);
  if (ownership !== 'any') params.set('ownership', ownership);
  const list = useList<DeviceRow>('devices', `/admin/v1/devices?${params}`);
  const reload = () => {
    void list.reload();
    setVersion((v) => v + 1);
  };
  return (
    <Section id="devices" title="Devices" actions={<Button size="1" variant="soft" onClick={reload}>Refresh</Button>}>
      <Flex gap="3" mb="3" align="end" wrap="wrap">
        <Choice id="devices-state" label="State" value={state} onChange={setState} options={['any', 'active', 'locked', 'evicted', 'wiped', 'revoked']} />
        <Choice id="devices-ownership" label="Ownership" value={ownership} onChange={setOwnership} options={['any', 'corporate', 'byod']} />
        <Choice id="devices-compliance" label="Compliance" value={compliance} onChange={setCompliance} options={['any', 'compliant', 'noncompliant', 'unknown']} />
      </Flex>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      <DevicesTable rows={list.rows} reload={reload} showPerson version={version} />
      {list.next && <Button mt="3" variant="soft" onClick={list.more}>More</Button>}
    </Section>
  );
}
