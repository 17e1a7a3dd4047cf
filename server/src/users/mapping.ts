/**
 * Maps what the company IdP says about a person (ID token and userinfo claims) to Palisade's
 * roles and attributes. Roles come only from configured groups: a person in no mapped group
 * gets no role and is refused, never given a default one.
 */
import { ROLE_NAMES, type RoleName } from '../roles.ts';

export interface ClaimMapping {
  groups: string;
  department: string;
  territory: string;
  region: string;
  projects: string;
  employeeType: string;
  userName: string;
}

export type RoleMapping = Record<RoleName, string[]>;

export interface MappedProfile {
  email: string | null;
  name: string | null;
  groups: string[];
  roles: RoleName[];
  department: string | null;
  territory: string | null;
  region: string | null;
  projects: string[];
  employeeType: string | null;
  /** Lower-cased; equals the SCIM userName of the same person. */
  userName: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : null);

const list = (value: unknown): string[] => {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(items.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean))].slice(0, 500);
};

/**
 * The user name that links this person to the IdP's SCIM records. An e-mail address is only
 * trusted when the IdP says it verified it (`email_verified: true`): otherwise a person who can
 * set their own e-mail there could pass for someone else and inherit their provisioned groups.
 * Immutable claims (`preferred_username` UPNs, `sub`, `oid`) need no such flag.
 */
function linkableUserName(claims: Record<string, unknown>, claim: string): string | null {
  const value = text(claims[claim])?.toLowerCase() ?? null;
  if (claim === 'email' && claims.email_verified !== true) return null;
  return value;
}

/** The roles a set of groups grants (names or ids, as the mapping lists them). */
export function rolesFor(groups: string[], roles: RoleMapping): RoleName[] {
  return ROLE_NAMES.filter((role) => roles[role].some((group) => groups.includes(group)));
}

export function mapProfile(claims: Record<string, unknown>, mapping: ClaimMapping, roles: RoleMapping): MappedProfile {
  const groups = list(claims[mapping.groups]);
  const granted = rolesFor(groups, roles);
  return {
    email: text(claims.email),
    name: text(claims.name) ?? text(claims.preferred_username),
    groups,
    roles: granted,
    department: text(claims[mapping.department]),
    territory: text(claims[mapping.territory]),
    region: text(claims[mapping.region]),
    projects: list(claims[mapping.projects]),
    employeeType: text(claims[mapping.employeeType]),
    userName: linkableUserName(claims, mapping.userName),
  };
}
