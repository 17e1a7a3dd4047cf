/** The API's shapes the app reads (a subset of the OpenAPI document's). */
export interface Job {
  id: string;
  title: string;
  description: string;
  department: string;
  territory: string;
  region: string;
  siteId: string;
  project: string | null;
  priority: string;
  windowStart: string | null;
  windowEnd: string | null;
  status: string;
  assignedTo: string | null;
  statusChangedAt: string;
  createdAt: string;
}

export interface Site {
  id: string;
  customerName: string;
  name: string;
  address: string;
  accessNotes: string | null;
}

export interface Technician {
  id: string;
  displayName: string;
  territory: string;
  active: boolean;
}

export interface ReportRow {
  territory: string;
  status: string;
  jobs: number;
  avgHoursToComplete: number | null;
}
