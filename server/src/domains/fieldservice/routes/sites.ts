/** Sites and customers: a site with its (sensitive) access notes, customers with their contact details for the roles that need them. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Queryable } from '../../../db/index.ts';
import { allowed, type Caller } from '../../../authz/index.ts';
import { problems, NO_QUERY } from '../../../http/index.ts';
import { refuseForbiddenData } from '../classification.ts';
import * as store from '../store.ts';
import { CODE, TEXT, SEARCH, IdParams, LIMIT, readLimit, security, SiteView, CustomerView, NextCursor, fieldServiceProblems, type RouteContext, Uuid, CustomerWithSitesView } from './shared.ts';

export function siteRoutes(server: FastifyInstance, { scoping, run, record, decrypt, encrypt }: RouteContext): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const siteView = async (tx: Queryable, site: store.SiteRow) => ({ ...site, accessNotes: await decrypt(tx, 'fs_sites.access_notes', site.id, site.accessNotes) });

  app.get(
    '/api/v1/sites/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'sites.read' },
      schema: { tags: ['field service'], summary: 'A customer site, with its access notes (sensitive)', security, params: IdParams, querystring: NO_QUERY, response: { 200: SiteView } },
    },
    async (request) =>
      run(request, async (tx) => {
        const site = await store.findSite(tx, scoping, request.params.id);
        if (!site) throw problems.notFound();
        await record(tx, 'site.read', { type: 'site', id: site.id }, { detail: { sensitive: ['accessNotes'] } });
        return siteView(tx, site);
      }),
  );

  const customerView = async (tx: Queryable, who: Caller, customer: store.CustomerRow) => ({
    id: customer.id,
    name: customer.name,
    contact: allowed(who.roles, 'customers.contact')
      ? {
          name: await decrypt(tx, 'fs_customers.contact_name', customer.id, customer.contactName),
          phone: await decrypt(tx, 'fs_customers.contact_phone', customer.id, customer.contactPhone),
          email: await decrypt(tx, 'fs_customers.contact_email', customer.id, customer.contactEmail),
        }
      : null,
  });

  app.get(
    '/api/v1/customers',
    {
      onRequest: app.authenticate,
      config: { permission: 'customers.read', rateLimit: 'search' },
      schema: {
        tags: ['field service'],
        summary: 'Customers with a site in the caller’s scope',
        security,
        querystring: Type.Object({ q: Type.Optional(SEARCH), cursor: Type.Optional(Uuid), limit: Type.Optional(LIMIT) }, { additionalProperties: false }),
        response: { 200: { type: 'object', additionalProperties: false, required: ['customers', 'next'], properties: { customers: { type: 'array', items: CustomerView }, next: NextCursor } } },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const { q, cursor } = request.query;
        const limit = readLimit(request.query.limit, 50, 200);
        const customers = await store.listCustomers(tx, scoping, { q, after: cursor, limit });
        await record(tx, 'customer.list', { type: 'customer' }, { detail: { count: customers.length, contact: allowed(who.roles, 'customers.contact') } });
        const views = [];
        for (const customer of customers) views.push(await customerView(tx, who, customer));
        return { customers: views, next: customers.length === limit ? customers.at(-1)!.id : null };
      }),
  );

  app.get(
    '/api/v1/customers/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'customers.read' },
      schema: {
        tags: ['field service'],
        summary: 'One customer with its sites in scope; contact details only for roles that need them',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        response: { 200: CustomerWithSitesView },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const customer = await store.findCustomer(tx, scoping, request.params.id);
        if (!customer) throw problems.notFound();
        const sites = await store.customerSites(tx, scoping, customer.id);
        await record(tx, 'customer.read', { type: 'customer', id: customer.id }, { detail: { contact: allowed(who.roles, 'customers.contact') } });
        const siteViews = [];
        for (const site of sites) siteViews.push(await siteView(tx, site));
        return { ...(await customerView(tx, who, customer)), sites: siteViews };
      }),
  );

  app.post(
    '/api/v1/customers',
    {
      onRequest: app.authenticate,
      bodyLimit: 16 * 1024,
      config: { permission: 'customers.create' },
      schema: {
        tags: ['field service'],
        summary: 'Create a customer with its first site (in the caller’s scope)',
        security,
        querystring: NO_QUERY,
        body: Type.Object(
          {
            name: TEXT(200),
            contact: Type.Optional(
              Type.Object(
                {
                  name: Type.Optional(TEXT(200)),
                  phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9 ()./-]+$' })),
                  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
                },
                { additionalProperties: false },
              ),
            ),
            site: Type.Object({ name: TEXT(200), address: TEXT(500), territory: CODE, accessNotes: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        response: { 201: CustomerWithSitesView },
      },
    },
    async (request, reply) => {
      const body = request.body;
      refuseForbiddenData({ name: body.name, 'contact/name': body.contact?.name, 'site/name': body.site.name, 'site/address': body.site.address, 'site/accessNotes': body.site.accessNotes });
      const view = await run(request, async (tx, who) => {
        const { customer: customerId, site: siteId } = await store.newCustomerAndSiteIds(tx);
        await store.insertCustomer(tx, {
          id: customerId,
          name: body.name,
          contactName: await encrypt(tx, 'fs_customers.contact_name', customerId, body.contact?.name),
          contactPhone: await encrypt(tx, 'fs_customers.contact_phone', customerId, body.contact?.phone),
          contactEmail: await encrypt(tx, 'fs_customers.contact_email', customerId, body.contact?.email),
        });
        if (!(await store.territoryExists(tx, body.site.territory))) throw fieldServiceProblems.unknownReference('site/territory');
        if (!(await store.siteTerritoryVisible(tx, body.site.territory))) throw fieldServiceProblems.outOfScope('A site there');
        await store.insertSite(tx, {
          id: siteId,
          customerId,
          name: body.site.name,
          address: body.site.address,
          territory: body.site.territory,
          accessNotes: await encrypt(tx, 'fs_sites.access_notes', siteId, body.site.accessNotes),
        });
        await record(tx, 'customer.create', { type: 'customer', id: customerId }, { changes: { after: { name: body.name, site: siteId, territory: body.site.territory } } });
        const customer = (await store.findCustomer(tx, scoping, customerId))!;
        const site = (await store.findSite(tx, scoping, siteId))!;
        return { ...(await customerView(tx, who, customer)), sites: [await siteView(tx, site)] };
      });
      return reply.code(201).send(view);
    },
  );
}
