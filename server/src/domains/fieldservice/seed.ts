/**
 * The demo dataset (`palisade demo seed`; `npm start` loads it in development when the domain is
 * empty): four territories in two regions, three departments, two contractor projects, customers
 * with sites, technicians and a few hundred jobs in every status, so that every scope rule shows.
 * The development IdP's people (oauth/dev-idp.ts) are among the technicians: Tess has jobs
 * assigned in north, Cory (a contractor) on project PRJ-1001. Generated from a fixed seed, so
 * every run makes the same data; it runs as the owner in one transaction and only into an empty
 * domain (it never touches real data).
 */
import type { Database } from '../../db/index.ts';
import { ensureDemoUser } from '../../users/index.ts';
import { encryptionContext } from './classification.ts';
import type { SensitiveCipher } from './routes.ts';
import {
  TRANSITIONS,
  insertCustomer,
  insertDemoJob,
  insertDemoJobEvent,
  insertProject,
  insertSite,
  insertTechnician,
  insertTerritory,
  lockForSeeding,
  newId,
  setDemoJobStatus,
  territoryCount,
  type JobStatus,
} from './store.ts';

export const DEMO_TERRITORIES = [
  { code: 'north', name: 'North', region: 'east' },
  { code: 'south', name: 'South', region: 'east' },
  { code: 'west', name: 'West', region: 'west' },
  { code: 'central', name: 'Central', region: 'west' },
] as const;
export const DEMO_DEPARTMENTS = ['hvac', 'electrical', 'plumbing'] as const;
export const DEMO_PROJECTS = [
  { code: 'PRJ-1001', name: 'Rooftop solar retrofit', contractor: 'Brightline Contracting' },
  { code: 'PRJ-2002', name: 'Metro fibre rollout', contractor: 'Linkwave Services' },
] as const;
/** Demo technicians who cannot sign in (the dev IdP's people can): an issuer no IdP has. */
export const DEMO_ISSUER = 'urn:palisade:demo';

export interface SeedOptions {
  /** The development IdP's issuer (`<publicUrl>/dev-idp`): its people become technicians. */
  devIssuer: string;
  jobs?: number;
  now?: Date;
  /** Called as jobs are written (the bulk of the work). */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  seeded: boolean;
  territories: number;
  customers: number;
  sites: number;
  technicians: number;
  jobs: number;
}

/** A small deterministic generator (mulberry32): the same seed gives the same dataset. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const COMPANIES = ['Harbor', 'Maple', 'Summit', 'Riverside', 'Oakwood', 'Granite', 'Lakeshore', 'Pioneer', 'Cedar', 'Beacon', 'Northgate', 'Silverline'];
const KINDS = ['Foods', 'Clinic', 'Logistics', 'Apartments', 'School', 'Hotel', 'Offices', 'Retail Park'];
const STREETS = ['Mill Road', 'High Street', 'Station Avenue', 'Church Lane', 'Park Road', 'Bridge Street', 'Victoria Road', 'Kings Way'];
const WORK: Record<(typeof DEMO_DEPARTMENTS)[number], string[]> = {
  hvac: ['Boiler service', 'Air handling unit fault', 'Chiller inspection', 'Thermostat replacement', 'Heat pump noise'],
  electrical: ['Emergency lighting test', 'Distribution board fault', 'EV charger install', 'Socket circuit tripping', 'PAT testing'],
  plumbing: ['Leak under sink', 'Water heater replacement', 'Blocked drain', 'Backflow test', 'Pipe insulation'],
};
const FIRST = ['Alex', 'Sam', 'Jordan', 'Riley', 'Casey', 'Morgan', 'Jamie', 'Taylor', 'Robin', 'Quinn', 'Avery', 'Drew'];
const LAST = ['Walker', 'Patel', 'Nguyen', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Haddad', 'Larsen', 'Moreau', 'Tanaka'];

/** The status a job reaches by walking the allowed transitions from `new`. */
function walk(target: JobStatus): JobStatus[] {
  const path: JobStatus[] = ['new'];
  const order: JobStatus[] = ['new', 'assigned', 'en_route', 'on_site', 'completed'];
  if (target === 'cancelled') return [...path, 'cancelled'];
  for (const status of order.slice(1, order.indexOf(target) + 1)) {
    if (!TRANSITIONS[path.at(-1)!].includes(status)) break;
    path.push(status);
  }
  return path;
}

export async function seedDemo(db: Database, cipher: SensitiveCipher, options: SeedOptions): Promise<SeedResult> {
  const rnd = random(20261126);
  const now = options.now ?? new Date();
  const jobCount = options.jobs ?? 400;
  return db.asOwner(async (tx) => {
    // One seeder at a time (two instances starting together), and only into an empty domain.
    await lockForSeeding(tx);
    if ((await territoryCount(tx)) > 0) return { seeded: false, territories: 0, customers: 0, sites: 0, technicians: 0, jobs: 0 };

    for (const t of DEMO_TERRITORIES) await insertTerritory(tx, t);
    for (const p of DEMO_PROJECTS) await insertProject(tx, p);

    // Technicians: the dev IdP's two (as they will sign in), and twelve more across the map.
    const technicians: { id: string; territory: string; department: string | null; project: string | null }[] = [];
    const addTechnician = async (issuer: string, subject: string, name: string, email: string, territory: string, department: string | null, project: string | null) => {
      // The person's region is their territory's, as the territories above define it.
      const region = DEMO_TERRITORIES.find((t) => t.code === territory)?.region ?? null;
      const id = await ensureDemoUser(tx, { issuer, subject, email, name, roles: ['technician'], department, territory, region, projects: project ? [project] : [], employeeType: project ? 'contractor' : 'employee' });
      await insertTechnician(tx, { userId: id, name, territory, department, skills: department ? [department] : ['solar', 'fibre'] });
      technicians.push({ id, territory, department, project });
      return id;
    };
    // Dan, the dev IdP's dispatcher, created and assigned the demo's jobs.
    const dan = await ensureDemoUser(tx, {
      issuer: options.devIssuer,
      subject: 'demo-dispatcher',
      email: 'dan@example.com',
      name: 'Dan Dispatcher',
      roles: ['dispatcher'],
      department: 'hvac',
      territory: 'north',
      region: null,
      projects: [],
      employeeType: 'employee',
    });
    const tess = await addTechnician(options.devIssuer, 'demo-technician', 'Tess Technician', 'tess@example.com', 'north', 'hvac', null);
    const cory = await addTechnician(options.devIssuer, 'demo-contractor', 'Cory Contractor', 'cory@contractor.example', 'north', null, 'PRJ-1001');
    for (let i = 0; i < 12; i += 1) {
      const territory = DEMO_TERRITORIES[i % DEMO_TERRITORIES.length]!.code;
      const department = DEMO_DEPARTMENTS[i % DEMO_DEPARTMENTS.length]!;
      const name = `${FIRST[i]} ${LAST[(i * 5) % LAST.length]}`;
      await addTechnician(DEMO_ISSUER, `technician-${i + 1}`, name, `${name.toLowerCase().replace(' ', '.')}@example.com`, territory, department, null);
    }

    // Customers, each with one to three sites; contact details and access notes encrypted.
    const sites: { id: string; territory: string }[] = [];
    const customers = 48;
    for (let c = 0; c < customers; c += 1) {
      const name = `${COMPANIES[c % COMPANIES.length]} ${KINDS[(c * 7) % KINDS.length]}${c >= COMPANIES.length ? ` ${Math.floor(c / COMPANIES.length) + 1}` : ''}`;
      const customerId = await newId(tx);
      const contact = `${rnd.pick(FIRST)} ${rnd.pick(LAST)}`;
      await insertCustomer(tx, {
        id: customerId,
        name,
        contactName: await cipher.encrypt(contact, encryptionContext('fs_customers.contact_name', customerId), tx),
        contactPhone: await cipher.encrypt(`+44 20 7946 ${String(rnd.int(0, 9999)).padStart(4, '0')}`, encryptionContext('fs_customers.contact_phone', customerId), tx),
        contactEmail: await cipher.encrypt(`${contact.toLowerCase().replace(' ', '.')}@customer.example`, encryptionContext('fs_customers.contact_email', customerId), tx),
      });
      const siteCount = rnd.int(1, 3);
      for (let s = 0; s < siteCount; s += 1) {
        const siteId = await newId(tx);
        const territory = rnd.pick(DEMO_TERRITORIES).code;
        await insertSite(tx, {
          id: siteId,
          customerId,
          name: s === 0 ? 'Main site' : `Site ${s + 1}`,
          address: `${rnd.int(1, 240)} ${rnd.pick(STREETS)}, ${territory[0]!.toUpperCase()}${territory.slice(1)}ton`,
          territory,
          accessNotes: await cipher.encrypt(`Gate code ${rnd.int(1000, 9999)}; ask for the facilities desk. Dog on site.`, encryptionContext('fs_sites.access_notes', siteId), tx),
        });
        sites.push({ id: siteId, territory });
      }
    }

    // Jobs: spread over the last 60 days and every status; the first ones go to Tess and Cory.
    const statuses: JobStatus[] = ['new', 'assigned', 'en_route', 'on_site', 'completed', 'completed', 'cancelled'];
    for (let j = 0; j < jobCount; j += 1) {
      if (j % 50 === 0) options.onProgress?.(j, jobCount);
      const contractorJob = j % 9 === 0;
      const project = contractorJob ? DEMO_PROJECTS[j % 2]!.code : null;
      const department = rnd.pick(DEMO_DEPARTMENTS);
      let site = rnd.pick(sites);
      let target = rnd.pick(statuses);
      let assignee: string | null = null;
      if (j < 12) {
        // Tess's north HVAC work; Cory's PRJ-1001 jobs in north.
        site = sites.find((s) => s.territory === 'north') ?? site;
        target = (['assigned', 'en_route', 'on_site', 'completed'] as const)[j % 4]!;
      }
      const jobDepartment = j < 12 && j % 3 !== 2 ? 'hvac' : department;
      const jobProject = j < 12 && j % 3 === 2 ? 'PRJ-1001' : project;
      if (target !== 'new' && !(target === 'cancelled' && rnd.next() < 0.5)) {
        if (j < 12) assignee = j % 3 === 2 ? cory : tess;
        else {
          const candidates = technicians.filter((t) => t.territory === site.territory && (jobProject ? t.project === jobProject : t.project === null));
          assignee = candidates.length ? rnd.pick(candidates).id : null;
        }
      }
      if (!assignee && target !== 'new' && target !== 'cancelled') target = 'new';
      const created = new Date(now.getTime() - rnd.int(1, 60 * 24) * 3_600_000);
      const windowStart = new Date(created.getTime() + rnd.int(2, 72) * 3_600_000);
      const jobId = await insertDemoJob(
        tx,
        {
          title: `${rnd.pick(WORK[jobDepartment as keyof typeof WORK] ?? WORK.hvac)}${jobProject ? ` (${jobProject})` : ''}`,
          description: 'Reported by the customer; see site access notes before arrival.',
          department: jobDepartment,
          territory: site.territory,
          siteId: site.id,
          project: jobProject,
          priority: rnd.pick(['low', 'normal', 'normal', 'high', 'urgent']),
          windowStart,
          windowEnd: new Date(windowStart.getTime() + 4 * 3_600_000),
          createdAt: created,
        },
        dan,
      );
      await insertDemoJobEvent(tx, jobId, { kind: 'created', from: null, to: 'new', technician: null, at: created }, dan);
      let at = created.getTime();
      let from: JobStatus = 'new';
      for (const status of walk(target).slice(1)) {
        at += rnd.int(1, 12) * 3_600_000;
        const when = new Date(Math.min(at, now.getTime()));
        await setDemoJobStatus(tx, jobId, status, assignee, when);
        const by = status === 'assigned' || status === 'cancelled' || !assignee ? dan : assignee;
        await insertDemoJobEvent(tx, jobId, { kind: status === 'assigned' ? 'assigned' : 'status', from, to: status, technician: status === 'assigned' ? assignee : null, at: when }, by);
        from = status;
      }
    }
    options.onProgress?.(jobCount, jobCount);
    return { seeded: true, territories: DEMO_TERRITORIES.length, customers, sites: sites.length, technicians: technicians.length, jobs: jobCount };
  });
}
