-- The field-service domain (server/src/domains/fieldservice) and the row-level security that is
-- its last line of defence. Every runtime request that touches these tables runs in a transaction
-- that first sets the caller's claims with set_config(..., true) (db/claims.ts); the policies
-- below read them through the palisade_claim_* functions. No claims (a query outside a caller
-- transaction, or a connection after one ended) means no rows.
--
-- The scope rules are written once, as the SQL functions fs_job_visible, fs_site_visible and
-- fs_technician_visible: the policies use them, and the API's queries call the same functions in
-- their WHERE clauses (domains/fieldservice/store.ts), so the two layers cannot drift apart.
-- docs/authorization.md states them in words.

-- Claims ---------------------------------------------------------------------------------------
-- Custom settings read as '' once a transaction that set them has ended: '' counts as absent.
CREATE FUNCTION palisade_claim_user() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT nullif(current_setting('palisade.user_id', true), '')::uuid $$;
CREATE FUNCTION palisade_claim_roles() RETURNS text[] LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(nullif(current_setting('palisade.roles', true), '')::text[], '{}') $$;
CREATE FUNCTION palisade_claim(name text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT nullif(current_setting('palisade.' || name, true), '') $$;
CREATE FUNCTION palisade_claim_projects() RETURNS text[] LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(nullif(current_setting('palisade.projects', true), '')::text[], '{}') $$;

-- Reference data ---------------------------------------------------------------------------------
CREATE TABLE fs_territories (
  code    text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name    text NOT NULL,
  region  text NOT NULL CHECK (region ~ '^[a-z0-9][a-z0-9-]{0,62}$')
);

CREATE TABLE fs_projects (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,62}$'),
  name        text NOT NULL,
  contractor  text NOT NULL
);

-- Customers and sites. Contact details and access notes are sensitive: they are stored only
-- envelope-encrypted (security/envelope.ts, `pe1.` values bound to table, column and row).
CREATE TABLE fs_customers (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name           text NOT NULL,
  contact_name   text,
  contact_phone  text,
  contact_email  text,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fs_sites (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id   uuid NOT NULL REFERENCES fs_customers (id),
  name          text NOT NULL,
  address       text NOT NULL,
  territory     text NOT NULL REFERENCES fs_territories (code),
  region        text NOT NULL,
  access_notes  text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fs_sites_customer ON fs_sites (customer_id);
CREATE INDEX fs_sites_territory ON fs_sites (territory);

-- Technicians as the domain knows them: territory, skills and the active flag are managed here by
-- managers (the IdP's attributes only seed them).
CREATE TABLE fs_technicians (
  user_id       uuid PRIMARY KEY REFERENCES users (id),
  display_name  text NOT NULL,
  territory     text NOT NULL REFERENCES fs_territories (code),
  region        text NOT NULL,
  department    text,
  skills        text[] NOT NULL DEFAULT '{}',
  active        boolean NOT NULL DEFAULT true,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    uuid
);
CREATE INDEX fs_technicians_territory ON fs_technicians (territory);

CREATE TABLE fs_jobs (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title              text NOT NULL,
  description        text NOT NULL DEFAULT '',
  department         text NOT NULL,
  territory          text NOT NULL REFERENCES fs_territories (code),
  region             text NOT NULL,
  site_id            uuid NOT NULL REFERENCES fs_sites (id),
  project            text REFERENCES fs_projects (code),
  priority           text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  window_start       timestamptz,
  window_end         timestamptz,
  status             text NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'assigned', 'en_route', 'on_site', 'completed', 'cancelled')),
  assigned_to        uuid REFERENCES fs_technicians (user_id),
  status_changed_at  timestamptz NOT NULL DEFAULT now(),
  status_changed_by  uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  created_by         uuid,
  CHECK (window_end IS NULL OR window_start IS NULL OR window_end > window_start)
);
-- In the lists' order (created_at DESC, id DESC, the keyset cursor's), so an index scan returns
-- rows ready to page without a sort.
CREATE INDEX fs_jobs_territory ON fs_jobs (territory, created_at DESC, id DESC);
CREATE INDEX fs_jobs_region ON fs_jobs (region, created_at DESC, id DESC);
CREATE INDEX fs_jobs_assignee ON fs_jobs (assigned_to, created_at DESC, id DESC) WHERE assigned_to IS NOT NULL;
CREATE INDEX fs_jobs_site ON fs_jobs (site_id);
CREATE INDEX fs_jobs_project ON fs_jobs (project) WHERE project IS NOT NULL;
CREATE INDEX fs_jobs_order ON fs_jobs (created_at DESC, id DESC);

-- Every status change and assignment, with who made it and when.
CREATE TABLE fs_job_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id       uuid NOT NULL REFERENCES fs_jobs (id),
  kind         text NOT NULL CHECK (kind IN ('created', 'status', 'assigned')),
  from_status  text,
  to_status    text,
  technician   uuid,
  at           timestamptz NOT NULL DEFAULT now(),
  by_user      uuid NOT NULL
);
CREATE INDEX fs_job_events_job ON fs_job_events (job_id, id);

CREATE TABLE fs_shifts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  technician_id  uuid NOT NULL REFERENCES fs_technicians (user_id),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  created_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX fs_shifts_technician ON fs_shifts (technician_id, starts_at);

-- The latest position of each technician and a short history (the domain trims it).
CREATE TABLE fs_locations (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  technician_id  uuid NOT NULL REFERENCES fs_technicians (user_id),
  at             timestamptz NOT NULL,
  latitude       double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude      double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  accuracy_m     double precision CHECK (accuracy_m >= 0)
);
CREATE INDEX fs_locations_technician ON fs_locations (technician_id, at DESC);

CREATE TABLE fs_photos (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id       uuid NOT NULL REFERENCES fs_jobs (id),
  blob_key     text NOT NULL UNIQUE,
  media_type   text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/heic')),
  size         integer NOT NULL CHECK (size > 0),
  sha256       text NOT NULL,
  uploaded_by  uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fs_photos_job ON fs_photos (job_id, created_at);

-- Derived columns: a row's region is its territory's, so a region-scoped dispatcher's rows are
-- found by an index and the policies need no join.
CREATE FUNCTION fs_set_region() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT region INTO NEW.region FROM fs_territories WHERE code = NEW.territory;
  IF NEW.region IS NULL THEN
    RAISE EXCEPTION 'unknown territory %', NEW.territory USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fs_sites_region BEFORE INSERT OR UPDATE OF territory ON fs_sites FOR EACH ROW EXECUTE FUNCTION fs_set_region();
CREATE TRIGGER fs_jobs_region BEFORE INSERT OR UPDATE OF territory ON fs_jobs FOR EACH ROW EXECUTE FUNCTION fs_set_region();
CREATE TRIGGER fs_technicians_region BEFORE INSERT OR UPDATE OF territory ON fs_technicians FOR EACH ROW EXECUTE FUNCTION fs_set_region();

-- Job status moves only along the allowed transitions; the API checks first (a clear 409) and
-- this trigger holds even for a query that does not.
CREATE FUNCTION fs_job_transition_allowed(from_status text, to_status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (from_status, to_status) IN (
    ('new', 'assigned'), ('assigned', 'assigned'), ('assigned', 'en_route'), ('en_route', 'on_site'), ('on_site', 'completed'),
    ('new', 'cancelled'), ('assigned', 'cancelled'), ('en_route', 'cancelled'), ('on_site', 'cancelled'))
$$;
CREATE FUNCTION fs_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT fs_job_transition_allowed(OLD.status, NEW.status) THEN
    RAISE EXCEPTION 'job status cannot move from % to %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fs_jobs_transition BEFORE UPDATE OF status ON fs_jobs FOR EACH ROW EXECUTE FUNCTION fs_check_transition();

-- Scope: the one definition -----------------------------------------------------------------------
-- Admin: everything. Dispatcher and manager: their territory, or their whole region when they
-- hold a region attribute; a department attribute narrows that to the department's jobs.
-- Technician: the jobs assigned to them. Contractors (employee_type contractor): whatever else
-- applies, only jobs of their projects.
--
-- Written for the planner (docs/decisions/0011): these functions inline into the policies and the
-- API's queries, and what they inline to compares a row's columns with values computed from the
-- claims alone (region = …, territory = …, assigned_to = …). The planner evaluates such a value
-- when it estimates, so it knows a dispatcher of one territory of four sees a quarter of the jobs,
-- and an index on the column can serve the condition. No CASE chooses between columns (no
-- statistics or index apply to it, only a flat guess), and no "claim IS NULL OR column = claim" as
-- a term of its own (guessed at 0.5% of the rows). The narrowings by department and project are wrapped
-- together in one coalesce(…, false) instead: a NULL answer counts as no, and the planner takes
-- the whole term for an even chance.

-- The caller's area as a dispatcher or manager: their region when they hold one, else their
-- territory. NULL when they hold neither role, so the comparison matches no row.
CREATE FUNCTION palisade_scope_region() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN palisade_claim_roles() && '{dispatcher,manager}'::text[] THEN palisade_claim('region') END
$$;
CREATE FUNCTION palisade_scope_territory() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN palisade_claim_roles() && '{dispatcher,manager}'::text[] AND palisade_claim('region') IS NULL
              THEN palisade_claim('territory') END
$$;
-- A technician's own jobs: the caller, when they hold the technician role.
CREATE FUNCTION palisade_scope_assignee() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN 'technician' = ANY (palisade_claim_roles()) THEN palisade_claim_user() END
$$;
-- A contractor's projects; NULL for everyone else (no narrowing).
CREATE FUNCTION palisade_scope_projects() RETURNS text[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN palisade_claim('contractor') IS NOT NULL THEN palisade_claim_projects() END
$$;

CREATE FUNCTION fs_in_area(territory text, region text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT region = palisade_scope_region() OR territory = palisade_scope_territory()
$$;
-- The narrowings, which may answer NULL: callers wrap them in coalesce(…, false) (see above).
CREATE FUNCTION fs_department_ok(department text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT palisade_claim('department') IS NULL OR department = palisade_claim('department')
$$;
CREATE FUNCTION fs_projects_ok(project text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT palisade_scope_projects() IS NULL OR project = ANY (palisade_scope_projects())
$$;

CREATE FUNCTION fs_job_visible(territory text, region text, department text, project text, assigned_to uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'admin' = ANY (palisade_claim_roles())
    OR (fs_in_area(territory, region) AND coalesce(fs_department_ok(department) AND fs_projects_ok(project), false))
    OR (assigned_to = palisade_scope_assignee() AND coalesce(fs_projects_ok(project), false))
$$;

-- A site is visible to whoever may see one of its jobs, and (not to contractors) to dispatchers
-- and managers of its territory or region, so new work can be planned there.
CREATE FUNCTION fs_site_visible(site uuid, territory text, region text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'admin' = ANY (palisade_claim_roles())
    OR (palisade_claim('contractor') IS NULL AND fs_in_area(territory, region))
    OR EXISTS (SELECT 1 FROM fs_jobs j WHERE j.site_id = site AND fs_job_visible(j.territory, j.region, j.department, j.project, j.assigned_to))
$$;

-- The same rules looked up by id, for rows that belong to a job, a customer or a technician. Each
-- applies the rule itself rather than relying on the caller's policies on the table it reads, so
-- the API's queries get the full check even on a connection without row-level security.
CREATE FUNCTION fs_job_id_visible(job uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT EXISTS (SELECT 1 FROM fs_jobs j WHERE j.id = job AND fs_job_visible(j.territory, j.region, j.department, j.project, j.assigned_to))
$$;
CREATE FUNCTION fs_customer_visible(customer uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'admin' = ANY (palisade_claim_roles())
    OR EXISTS (SELECT 1 FROM fs_sites s WHERE s.customer_id = customer AND fs_site_visible(s.id, s.territory, s.region))
$$;

-- Technicians are visible to themselves and to dispatchers and managers in scope (not to contractors).
CREATE FUNCTION fs_technician_visible(technician uuid, territory text, region text, department text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'admin' = ANY (palisade_claim_roles())
    OR technician = palisade_claim_user()
    OR (palisade_claim('contractor') IS NULL AND fs_in_area(territory, region) AND coalesce(fs_department_ok(department), false))
$$;
CREATE FUNCTION fs_technician_id_visible(technician uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT EXISTS (SELECT 1 FROM fs_technicians t WHERE t.user_id = technician AND fs_technician_visible(t.user_id, t.territory, t.region, t.department))
$$;

-- The API's own check on the tables it lists and pages by index: the same rules, called through a
-- plpgsql wrapper that the planner does not inline. With row-level security on, the policy's
-- inlined copy already filters the rows; an inlined second copy would be the same conditions
-- twice, which the planner multiplies as if independent, and the squared estimate makes it drop
-- the ordered index scan for a scan and sort of the whole table. A call is one opaque condition
-- instead, checked after the policy's (row-level security evaluates its own conditions first),
-- so only on the rows the policy let through.
CREATE FUNCTION fs_job_in_scope(territory text, region text, department text, project text, assigned_to uuid) RETURNS boolean
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN fs_job_visible(territory, region, department, project, assigned_to);
END $$;
CREATE FUNCTION fs_technician_in_scope(technician uuid, territory text, region text, department text) RETURNS boolean
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN fs_technician_visible(technician, territory, region, department);
END $$;

-- Policies ----------------------------------------------------------------------------------------
ALTER TABLE fs_territories ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_sites ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_technicians ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_job_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_shifts ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE fs_photos ENABLE ROW LEVEL SECURITY;

CREATE POLICY signed_in ON fs_territories FOR SELECT TO palisade_app USING (palisade_claim_user() IS NOT NULL);
CREATE POLICY signed_in ON fs_projects FOR SELECT TO palisade_app USING (palisade_claim_user() IS NOT NULL);

CREATE POLICY jobs_read ON fs_jobs FOR SELECT TO palisade_app
  USING (fs_job_visible(territory, region, department, project, assigned_to));
CREATE POLICY jobs_create ON fs_jobs FOR INSERT TO palisade_app
  WITH CHECK (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[]
              AND fs_job_visible(territory, region, department, project, assigned_to));
-- Technicians change only their own jobs (and of those only the status: fs_jobs_technician_columns
-- below); dispatchers and above, jobs in scope. The new row must stay in the caller's scope
-- (WITH CHECK), so a job cannot be moved out of it.
CREATE POLICY jobs_update ON fs_jobs FOR UPDATE TO palisade_app
  USING (fs_job_visible(territory, region, department, project, assigned_to)
         AND (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[] OR assigned_to = palisade_claim_user()))
  WITH CHECK (fs_job_visible(territory, region, department, project, assigned_to)
              AND (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[] OR assigned_to = palisade_claim_user()));

-- Column-level rights depend on the caller's role, which GRANTs cannot see: a caller who is only
-- a technician may change a job's status (and its timestamp and author), nothing else. Work
-- without claims (the owner's: migrations, the demo seed) is not a caller.
CREATE FUNCTION fs_jobs_technician_columns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF palisade_claim_user() IS NOT NULL AND NOT (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[])
     AND (NEW.title, NEW.description, NEW.department, NEW.territory, NEW.site_id, NEW.project, NEW.priority,
          NEW.window_start, NEW.window_end, NEW.assigned_to, NEW.created_at, NEW.created_by)
         IS DISTINCT FROM
         (OLD.title, OLD.description, OLD.department, OLD.territory, OLD.site_id, OLD.project, OLD.priority,
          OLD.window_start, OLD.window_end, OLD.assigned_to, OLD.created_at, OLD.created_by) THEN
    RAISE EXCEPTION 'a technician may change only the status of a job' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fs_jobs_technician_columns BEFORE UPDATE ON fs_jobs FOR EACH ROW EXECUTE FUNCTION fs_jobs_technician_columns();

CREATE POLICY job_events_read ON fs_job_events FOR SELECT TO palisade_app
  USING (fs_job_id_visible(job_id));
CREATE POLICY job_events_write ON fs_job_events FOR INSERT TO palisade_app
  WITH CHECK (by_user = palisade_claim_user() AND fs_job_id_visible(job_id));

CREATE POLICY sites_read ON fs_sites FOR SELECT TO palisade_app USING (fs_site_visible(id, territory, region));
CREATE POLICY sites_write ON fs_sites FOR INSERT TO palisade_app
  WITH CHECK (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[] AND fs_site_visible(id, territory, region));
CREATE POLICY customers_read ON fs_customers FOR SELECT TO palisade_app
  USING (fs_customer_visible(id));
CREATE POLICY customers_write ON fs_customers FOR INSERT TO palisade_app
  WITH CHECK (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[] AND palisade_claim('contractor') IS NULL);

CREATE POLICY technicians_read ON fs_technicians FOR SELECT TO palisade_app
  USING (fs_technician_visible(user_id, territory, region, department));
-- A technician's own record is created on their first field-service call; managers edit in scope.
CREATE POLICY technicians_create ON fs_technicians FOR INSERT TO palisade_app
  WITH CHECK (user_id = palisade_claim_user() OR palisade_claim_roles() && '{manager,admin}'::text[]);
CREATE POLICY technicians_update ON fs_technicians FOR UPDATE TO palisade_app
  USING (palisade_claim_roles() && '{manager,admin}'::text[] AND fs_technician_visible(user_id, territory, region, department))
  WITH CHECK (fs_technician_visible(user_id, territory, region, department));

CREATE POLICY shifts_read ON fs_shifts FOR SELECT TO palisade_app USING (fs_technician_id_visible(technician_id));
CREATE POLICY shifts_write ON fs_shifts FOR INSERT TO palisade_app
  WITH CHECK (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[] AND fs_technician_id_visible(technician_id));
CREATE POLICY shifts_delete ON fs_shifts FOR DELETE TO palisade_app
  USING (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[] AND fs_technician_id_visible(technician_id));

CREATE POLICY locations_read ON fs_locations FOR SELECT TO palisade_app
  USING (technician_id = palisade_claim_user()
         OR (palisade_claim_roles() && '{dispatcher,manager,admin}'::text[]
             AND fs_technician_id_visible(technician_id)));
CREATE POLICY locations_report ON fs_locations FOR INSERT TO palisade_app
  WITH CHECK (technician_id = palisade_claim_user() AND 'technician' = ANY (palisade_claim_roles()));
CREATE POLICY locations_trim ON fs_locations FOR DELETE TO palisade_app USING (technician_id = palisade_claim_user());

CREATE POLICY photos_read ON fs_photos FOR SELECT TO palisade_app
  USING (fs_job_id_visible(job_id));
CREATE POLICY photos_upload ON fs_photos FOR INSERT TO palisade_app
  WITH CHECK (uploaded_by = palisade_claim_user()
              AND EXISTS (SELECT 1 FROM fs_jobs j WHERE j.id = job_id AND j.assigned_to = palisade_claim_user()
                          AND fs_job_visible(j.territory, j.region, j.department, j.project, j.assigned_to)));

GRANT SELECT ON fs_territories, fs_projects TO palisade_app;
GRANT SELECT, INSERT ON fs_customers, fs_sites, fs_job_events, fs_photos TO palisade_app;
GRANT SELECT, INSERT, UPDATE ON fs_jobs, fs_technicians TO palisade_app;
GRANT SELECT, INSERT, DELETE ON fs_shifts, fs_locations TO palisade_app;

-- Roles an admin grants or takes away in Palisade, on top of what the IdP's groups give. The
-- effective roles are (from groups ∪ granted) − removed, in the matrix's role order.
ALTER TABLE users ADD COLUMN roles_added text[] NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN roles_removed text[] NOT NULL DEFAULT '{}';
CREATE FUNCTION palisade_effective_roles(from_groups text[], granted text[], removed text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(r ORDER BY array_position('{technician,dispatcher,manager,admin}'::text[], r), r), '{}')
  FROM (SELECT DISTINCT r FROM unnest(from_groups || granted) AS r WHERE r <> ALL (removed)) AS effective
$$;
