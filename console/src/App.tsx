/**
 * The console's pages. Everything shown comes from the public /admin/v1 API through
 * palisade.ts (authorized by the permission stage, audited); nothing is shown before the
 * caller's permissions say they may see it.
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Route, Router, Switch, useLocation, useParams } from 'wouter';
import { Badge, Box, Button, Callout, Card, Container, Flex, Heading, Spinner, Text, TextField, Theme } from '@radix-ui/themes';
import type { HTMLAttributes, TdHTMLAttributes, ThHTMLAttributes } from 'react';

/**
 * Plain semantic tables, styled in console.css with the theme's tokens. Not Radix Themes'
 * Table: it wraps tables in a ScrollArea, which hides native scrollbars with an injected
 * <style> element that the CSP refuses.
 */
const Table = {
  Root: ({ variant: _variant, ...props }: HTMLAttributes<HTMLTableElement> & { variant?: string }) => <table className="grid" {...props} />,
  Header: (props: HTMLAttributes<HTMLTableSectionElement>) => <thead {...props} />,
  Body: (props: HTMLAttributes<HTMLTableSectionElement>) => <tbody {...props} />,
  Row: (props: HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>) => <tr {...props} />,
  ColumnHeaderCell: (props: ThHTMLAttributes<HTMLTableCellElement>) => <th scope="col" {...props} />,
  RowHeaderCell: (props: ThHTMLAttributes<HTMLTableCellElement>) => <th scope="row" {...props} />,
  Cell: (props: TdHTMLAttributes<HTMLTableCellElement>) => <td {...props} />,
};
import { call, completeSignIn, signIn, signOut, signedIn, type Answer } from './palisade.ts';

interface Person { id: string; name: string | null; email: string | null; roles: string[]; status: string; openSessions: number; lastLoginAt: string | null }
interface SessionRow { id: string; userId: string; userName: string | null; clientId: string; state: string; createdAt: string; lastSeenAt: string; endedReason: string | null; platform: string | null; model: string | null }
interface DeviceRow { id: string; userId: string; userName: string | null; clientId: string; platform: string | null; model: string | null; state: string; ownership: string; compliance: string; lastSeenAt: string; openSessions: number }

type Phase = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'refused'; roles: string[] } | { kind: 'ready'; notice?: string } | { kind: 'error'; message: string };

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const problemText = (answer: Answer) => String((answer.body as { detail?: string; title?: string }).detail ?? (answer.body as { title?: string }).title ?? `HTTP ${answer.status}`);

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  useEffect(() => {
    (async () => {
      const finished = await completeSignIn();
      if (!signedIn()) return setPhase({ kind: 'signed-out' });
      // The permission matrix decides who may use the console: without `sessions.read` nothing is fetched.
      const permissions = await call<{ roles: string[]; permissions: { name: string }[] }>('GET', '/api/v1/me/permissions');
      if (permissions.status !== 200) return setPhase({ kind: 'error', message: problemText(permissions as Answer) });
      if (!permissions.body.permissions.some((p) => p.name === 'sessions.read')) return setPhase({ kind: 'refused', roles: permissions.body.roles });
      if (finished?.returnTo && finished.returnTo !== location.pathname) history.replaceState(null, '', finished.returnTo);
      const retried = finished?.retried;
      setPhase({ kind: 'ready', ...(retried ? { notice: retried.status < 300 ? 'Signed in again: the action was carried out.' : `Signed in again, but the action was refused (HTTP ${retried.status}).` } : {}) });
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

function Shell({ phase }: { phase: Phase }) {
  const who = signedIn();
  return (
    <Flex direction="column" className="shell">
      <Box asChild px="5" py="3">
        <header>
          <Flex justify="between" align="center" gap="4">
            <Heading as="h1" size="5">Palisade admin console</Heading>
            {phase.kind === 'ready' && (
              <nav aria-label="Main" className="nav">
                <Flex gap="4">
                  <NavLink href="/">People</NavLink>
                  <NavLink href="/sessions">Sessions</NavLink>
                  <NavLink href="/devices">Devices</NavLink>
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
      <Container size="4" px="5" asChild>
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
              <Switch>
                <Route path="/"><PeoplePage /></Route>
                <Route path="/people/:id"><PersonPage /></Route>
                <Route path="/sessions"><SessionsPage /></Route>
                <Route path="/devices"><DevicesPage /></Route>
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
  return <Link href={href} aria-current={location === href ? 'page' : undefined}>{children}</Link>;
}

/** A list page's state: rows, the next cursor, loading and the last refusal. */
function useList<T>(key: 'users' | 'sessions' | 'devices', path: string | undefined) {
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  // Only the answer to the latest request is shown: a slow first page must not overwrite a search.
  const latest = useRef(0);
  const load = useCallback(async (cursor?: string) => {
    if (!path) return;
    const ticket = ++latest.current;
    setLoading(true);
    const answer = await call('GET', cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : path);
    if (ticket !== latest.current) return;
    setLoading(false);
    if (answer.status !== 200) return setError(problemText(answer));
    setError(undefined);
    const page = (answer.body[key] as T[]) ?? [];
    setRows((old) => (cursor ? [...old, ...page] : page));
    setNext(answer.body.next as string | undefined);
  }, [key, path]);
  useEffect(() => {
    void load();
  }, [load]);
  return { rows, next, error, loading, more: () => void load(next), reload: () => load() };
}

function PeoplePage() {
  const [query, setQuery] = useState('');
  const [role, setRole] = useState('any');
  const [search, setSearch] = useState<string>('/admin/v1/users?limit=50');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (query.trim()) params.set('q', query.trim());
    if (role !== 'any') params.set('role', role);
    setSearch(`/admin/v1/users?${params}`);
  };
  const list = useList<Person>('users', search);
  return (
    <section aria-labelledby="people-heading">
      <Heading as="h2" size="6" mb="3" id="people-heading">People</Heading>
      <form onSubmit={submit} role="search" aria-label="Find people">
        <Flex gap="3" mb="4" align="end">
          <Flex direction="column" gap="1">
            <Text as="label" size="2" htmlFor="people-search">Name or e-mail</Text>
            <TextField.Root id="people-search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. Tess" />
          </Flex>
          <Choice id="people-role" label="Role" value={role} onChange={setRole} options={['any', 'technician', 'dispatcher', 'manager', 'admin']} />
          <Button type="submit">Search</Button>
        </Flex>
      </form>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      <Table.Root variant="surface" aria-label="People">
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
              <Table.RowHeaderCell><Link href={`/people/${p.id}`} state={{ name: p.name, email: p.email }}>{p.name ?? '(no name)'}</Link></Table.RowHeaderCell>
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
    </section>
  );
}

/**
 * Ends something after a confirmation; the server may ask for a fresh sign-in first (the call
 * is retried after it). A native modal <dialog>: focus moves into it, Escape closes it, the rest
 * of the page is inert — and, unlike dialog libraries that lock scrolling by injecting a
 * <style> element, nothing breaks the CSP.
 */
function Confirm({ label, title, description, method, path, body, onDone, color = 'red' }: { label: string; title: string; description: string; method: string; path: string; body?: string; onDone: () => void; color?: 'red' | 'orange' }) {
  const [error, setError] = useState<string | undefined>();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const act = async () => {
    dialog.current?.close();
    const answer = await call(method, path, body, { stepUp: true });
    if (answer.status >= 300) setError(problemText(answer));
    else onDone();
  };
  return (
    <>
      <Button color={color} variant="soft" size="1" onClick={() => dialog.current?.showModal()}>{label}</Button>
      <dialog ref={dialog} role="alertdialog" aria-labelledby={titleId} className="confirm">
        <Card size="3">
          <Heading as="h2" size="4" mb="2" id={titleId}>{title}</Heading>
          <Text as="p" size="2">{description} You may be asked to sign in again first.</Text>
          <Flex gap="3" mt="4" justify="end">
            <Button variant="soft" color="gray" autoFocus onClick={() => dialog.current?.close()}>Cancel</Button>
            <Button color={color} onClick={() => void act()}>{label}</Button>
          </Flex>
        </Card>
      </dialog>
      {error && <Text color="red" size="1" role="alert">{error}</Text>}
    </>
  );
}

/** A labelled native select: Radix's Select locks page scrolling with an injected <style>, which the CSP refuses. */
function Choice({ label, value, options, onChange, id }: { label: string; value: string; options: string[]; onChange: (value: string) => void; id: string }) {
  return (
    <Flex direction="column" gap="1">
      <Text as="label" size="2" htmlFor={id}>{label}</Text>
      <select id={id} className="choice" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </Flex>
  );
}

function SessionsTable({ rows, reload, showPerson }: { rows: SessionRow[]; reload: () => void; showPerson: boolean }) {
  return (
    <Table.Root variant="surface" aria-label="Sessions">
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

function DevicesTable({ rows, reload, showPerson }: { rows: DeviceRow[]; reload: () => void; showPerson: boolean }) {
  return (
    <Table.Root variant="surface" aria-label="Devices">
      <Table.Header>
        <Table.Row>
          {showPerson && <Table.ColumnHeaderCell>Person</Table.ColumnHeaderCell>}
          <Table.ColumnHeaderCell>App</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Device</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>State</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Ownership</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Compliance</Table.ColumnHeaderCell>
          <Table.ColumnHeaderCell>Last seen</Table.ColumnHeaderCell>
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
            <Table.Cell>
              {(d.state === 'active' || d.state === 'locked') && (
                <Flex gap="2">
                  <Confirm label="Lock" color="orange" title="Lock the app on this device?" description="Its sessions are locked now; the app receives the signed lock command at its next call." method="POST" path={`/admin/v1/devices/${d.id}/lock`} body={JSON.stringify({ reason: 'locked from the admin console' })} onDone={reload} />
                  <Confirm label="Wipe" title="Wipe the app’s data on this device?" description="Its sessions end now, it cannot sign in again, and the app erases its data when it receives the signed command." method="POST" path={`/admin/v1/devices/${d.id}/wipe`} body={JSON.stringify({ reason: 'wiped from the admin console' })} onDone={reload} />
                </Flex>
              )}
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table.Root>
  );
}

function PersonPage() {
  const { id } = useParams<{ id: string }>();
  const known = (history.state ?? {}) as { name?: string | null; email?: string | null };
  const sessions = useList<SessionRow>('sessions', `/admin/v1/sessions?user=${encodeURIComponent(id)}&limit=100`);
  const devices = useList<DeviceRow>('devices', `/admin/v1/devices?user=${encodeURIComponent(id)}&limit=100`);
  const [roles, setRoles] = useState<{ roles: string[]; fromGroups: string[]; granted: string[]; removed: string[] } | undefined>();
  const [rolesNote, setRolesNote] = useState<string | undefined>();
  useEffect(() => {
    // Reading the role lists is part of managing roles, which needs a recent sign-in: without
    // one the page says so rather than sending the admin away to sign in just for looking.
    void call<{ roles: string[]; fromGroups: string[]; granted: string[]; removed: string[] }>('GET', `/admin/v1/users/${encodeURIComponent(id)}/roles`).then((a) => {
      if (a.status === 200) setRoles(a.body);
      else setRolesNote(a.status === 401 ? 'Role details need a recent sign-in (they are shown after your next one).' : problemText(a as Answer));
    });
  }, [id]);
  const name = known.name ?? sessions.rows[0]?.userName ?? devices.rows[0]?.userName ?? id;
  const open = sessions.rows.filter((s) => s.state === 'active' || s.state === 'locked').length;
  return (
    <section aria-labelledby="person-heading">
      <Heading as="h2" size="6" id="person-heading">{name}</Heading>
      {known.email && <Text as="p" color="gray">{known.email}</Text>}
      {roles && (
        <Flex gap="2" my="3" wrap="wrap" aria-label="Roles">
          <Text weight="bold">Roles:</Text>
          {roles.roles.map((r) => <Badge key={r}>{r}</Badge>)}
          <Text size="1" color="gray">from groups: {roles.fromGroups.join(', ') || 'none'}; granted here: {roles.granted.join(', ') || 'none'}; removed here: {roles.removed.join(', ') || 'none'}</Text>
        </Flex>
      )}
      {rolesNote && <Text as="p" size="1" color="gray" my="3">{rolesNote}</Text>}
      <Flex justify="between" align="center" mt="4" mb="2">
        <Heading as="h3" size="4">Sessions ({open} open)</Heading>
        {open > 0 && <Confirm label="End all sessions" title={`End every session of ${name}?`} description="Every session on every device ends now; each app must sign in again." method="DELETE" path={`/admin/v1/users/${encodeURIComponent(id)}/sessions`} onDone={() => void sessions.reload()} />}
      </Flex>
      {sessions.error && <Callout.Root color="red" role="alert"><Callout.Text>{sessions.error}</Callout.Text></Callout.Root>}
      <SessionsTable rows={sessions.rows} reload={() => void sessions.reload()} showPerson={false} />
      <Heading as="h3" size="4" mt="5" mb="2">Devices</Heading>
      <DevicesTable rows={devices.rows} reload={() => void devices.reload()} showPerson={false} />
    </section>
  );
}

function SessionsPage() {
  const [state, setState] = useState('active');
  const list = useList<SessionRow>('sessions', `/admin/v1/sessions?limit=50${state === 'any' ? '' : `&state=${state}`}`);
  return (
    <section aria-labelledby="sessions-heading">
      <Heading as="h2" size="6" mb="3" id="sessions-heading">Sessions</Heading>
      <Flex gap="2" mb="3" align="center">
        <Choice id="sessions-state" label="State" value={state} onChange={setState} options={['any', 'active', 'locked', 'ended', 'expired']} />
      </Flex>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      <SessionsTable rows={list.rows} reload={() => void list.reload()} showPerson />
      {list.next && <Button mt="3" variant="soft" onClick={list.more}>More</Button>}
    </section>
  );
}

function DevicesPage() {
  const [compliance, setCompliance] = useState('any');
  const list = useList<DeviceRow>('devices', `/admin/v1/devices?limit=50${compliance === 'any' ? '' : `&compliance=${compliance}`}`);
  return (
    <section aria-labelledby="devices-heading">
      <Heading as="h2" size="6" mb="3" id="devices-heading">Devices</Heading>
      <Flex gap="2" mb="3" align="center">
        <Choice id="devices-compliance" label="Compliance" value={compliance} onChange={setCompliance} options={['any', 'compliant', 'noncompliant', 'unknown']} />
      </Flex>
      {list.error && <Callout.Root color="red" role="alert"><Callout.Text>{list.error}</Callout.Text></Callout.Root>}
      <DevicesTable rows={list.rows} reload={() => void list.reload()} showPerson />
      {list.next && <Button mt="3" variant="soft" onClick={list.more}>More</Button>}
    </section>
  );
}
