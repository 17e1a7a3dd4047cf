/**
 * The upstream claim mapping (`upstream.claims`), owned by the OAuth module: config/schema.ts
 * composes it into the one configuration schema; the development IdP uses its defaults.
 */
import Type from 'typebox';

/** Which upstream claims fill Palisade's attributes (also the development IdP's mapping). */
export const ClaimsSchema = Type.Object(
  {
    groups: Type.String({ default: 'groups', description: 'Claim with the user’s group names or ids.' }),
    department: Type.String({ default: 'department', description: 'Claim with the department.' }),
    territory: Type.String({ default: 'territory', description: 'Claim with the territory.' }),
    region: Type.String({ default: 'region', description: 'Claim with the region.' }),
    projects: Type.String({ default: 'projects', description: 'Claim with contractor projects (list or comma-separated).' }),
    employeeType: Type.String({ default: 'employee_type', description: 'Claim with employee type (e.g. contractor).' }),
    userName: Type.String({
      default: 'email',
      description: 'Claim equal to the SCIM userName the IdP provisions (e-mail for Okta and Google, preferred_username — the UPN — for Entra ID); links sign-ins to SCIM users.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Which upstream ID token / userinfo claims fill Palisade’s attributes.' },
);
