/**
 * What every page shares: plain tables, the confirmation dialog of sensitive actions, native
 * selects, a keyset-paged list hook and the display helpers. Nothing here injects a <style>
 * element (the CSP refuses them): see the notes on Table, Confirm and Choice.
 */
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { HTMLAttributes, TdHTMLAttributes, ThHTMLAttributes } from 'react';
import { Button, Card, Flex, Heading, Text, TextArea } from '@radix-ui/themes';
import { call, type Answer } from './palisade.ts';

/**
 * Plain semantic tables, styled in console.css with the theme's tokens. Not Radix Themes'
 * Table: it wraps tables in a ScrollArea, which hides native scrollbars with an injected
 * <style> element that the CSP refuses.
 */
export const Table = {
  Root: ({ variant: _variant, ...props }: HTMLAttributes<HTMLTableElement> & { variant?: string }) => <table className="grid" {...props} />,
  Header: (props: HTMLAttributes<HTMLTableSectionElement>) => <thead {...props} />,
  Body: (props: HTMLAttributes<HTMLTableSectionElement>) => <tbody {...props} />,
  Row: (props: HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>) => <tr {...props} />,
  ColumnHeaderCell: (props: ThHTMLAttributes<HTMLTableCellElement>) => <th scope="col" {...props} />,
  RowHeaderCell: (props: ThHTMLAttributes<HTMLTableCellElement>) => <th scope="row" {...props} />,
  Cell: (props: TdHTMLAttributes<HTMLTableCellElement>) => <td {...props} />,
};

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const problemText = (answer: Answer<unknown>) => String((answer.body as { detail?: string; title?: string }).detail ?? (answer.body as { title?: string }).title ?? `HTTP ${answer.status}`);

/** How long ago, in the largest whole unit (for key and checkpoint ages). */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/**
 * A sensitive action behind a confirmation; the server may ask for a fresh sign-in first (the
 * call is retried after it, and the page says how it went). A native modal <dialog>: focus moves
 * into it, Escape closes it, the rest of the page is inert — and, unlike dialog libraries that
 * lock scrolling by injecting a <style> element, nothing breaks the CSP. With `askReason` the
 * dialog asks why (the reason is recorded in the audit trail).
 */
export function Confirm({
  label,
  title,
  description,
  method,
  path,
  body,
  askReason,
  onDone,
  color = 'red',
}: {
  label: string;
  title: string;
  description: string;
  method: string;
  path: string;
  body?: string;
  askReason?: string;
  onDone: (answer: Answer) => void;
  color?: 'red' | 'orange' | 'indigo' | 'green';
}) {
  const [error, setError] = useState<string | undefined>();
  const [reason, setReason] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const reasonId = useId();
  const act = async () => {
    dialog.current?.close();
    const sent = askReason ? JSON.stringify({ reason: reason.trim() || askReason }) : body;
    const answer = await call(method, path, sent, { stepUp: true });
    if (answer.status >= 300) setError(problemText(answer));
    else {
      setError(undefined);
      onDone(answer);
    }
  };
  return (
    <>
      <Button color={color} variant="soft" size="1" onClick={() => dialog.current?.showModal()}>{label}</Button>
      <dialog ref={dialog} role="alertdialog" aria-labelledby={titleId} className="confirm">
        <Card size="3">
          <Heading as="h2" size="4" mb="2" id={titleId}>{title}</Heading>
          <Text as="p" size="2">{description} You may be asked to sign in again first.</Text>
          {askReason && (
            <Flex direction="column" gap="1" mt="3">
              <Text as="label" size="2" htmlFor={reasonId}>Reason (kept in the audit trail)</Text>
              <TextArea id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={askReason} maxLength={500} />
            </Flex>
          )}
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
export function Choice({ label, value, options, onChange, id }: { label: string; value: string; options: string[]; onChange: (value: string) => void; id: string }) {
  return (
    <Flex direction="column" gap="1">
      <Text as="label" size="2" htmlFor={id}>{label}</Text>
      <select id={id} className="choice" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </Flex>
  );
}

/** A key or other secret shown once, with a copy button. */
export function ShownOnce({ secret, what }: { secret: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Card my="3" id="shown-once">
      <Text as="p" size="2" weight="bold">{what}: copy it now — it is not shown again, and Palisade keeps only a hash of it.</Text>
      <Flex gap="2" mt="2" align="center" wrap="wrap">
        <code className="secret" id="secret-value">{secret}</code>
        <Button size="1" onClick={() => void navigator.clipboard.writeText(secret).then(() => setCopied(true), () => setCopied(false))}>Copy</Button>
        {copied && <Text size="1" role="status">Copied.</Text>}
      </Flex>
    </Card>
  );
}

/** A titled section with a heading the page's landmarks name it by. */
export function Section({ id, title, children, actions }: { id: string; title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <Flex justify="between" align="center" mb="3">
        <Heading as="h2" size="6" id={`${id}-heading`}>{title}</Heading>
        {actions}
      </Flex>
      {children}
    </section>
  );
}

/** A list page's state: rows, the next cursor, loading and the last refusal. */
export function useList<T>(key: string, path: string | undefined) {
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  // Only the answer to the latest request is shown: a slow first page must not overwrite a search.
  const latest = useRef(0);
  const load = useCallback(
    async (cursor?: string) => {
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
    },
    [key, path],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return { rows, next, error, loading, more: () => void load(next), reload: () => load() };
}

/** One GET, reloadable: `data` is undefined until it answers 200; `error` says why not. */
export function useGet<T>(path: string | undefined) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<{ status: number; text: string } | undefined>();
  const load = useCallback(async () => {
    if (!path) return;
    const answer = await call<T>('GET', path);
    if (answer.status === 200) {
      setData(answer.body);
      setError(undefined);
    } else setError({ status: answer.status, text: problemText(answer as Answer) });
  }, [path]);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, error, reload: load };
}
