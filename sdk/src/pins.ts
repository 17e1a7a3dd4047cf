/**
 * The signed pin set (`/.well-known/palisade/pins`, server/src/http/pins.ts): a JWS by Palisade's
 * OAuth signing key listing the SPKI pins (`sha256/<base64>`) its TLS certificate may use, the
 * current key's and the backups'. An app accepts a new set only when it verifies against the
 * JWKS, names the issuer and the host, has not expired, and names the pin of the connection it
 * came over; then it trusts exactly those pins.
 */
import { verifyServerDocument, PINS_TYP, type PinsDocument } from './documents.ts';
import { PalisadeError } from './errors.ts';
import type { JSONWebKeySet } from 'jose';

export interface VerifiedPins {
  pins: string[];
  /** When the app should fetch the set again (ms since the epoch). */
  refreshAt: number;
}

export async function verifyPins(jws: string, jwks: JSONWebKeySet, issuer: string, connectionPin: string | undefined, nowMs: number): Promise<VerifiedPins> {
  let document: PinsDocument;
  try {
    document = await verifyServerDocument<PinsDocument>(jws, jwks, PINS_TYP, issuer, nowMs);
  } catch (error) {
    throw new PalisadeError('document-invalid', 'the pin set does not verify against the JWKS', { cause: error });
  }
  if (document.host !== new URL(issuer).hostname) throw new PalisadeError('document-invalid', 'the pin set is for another host');
  const pins = Array.isArray(document.pins) ? document.pins.map((p) => p.pin).filter((p) => typeof p === 'string' && p.startsWith('sha256/')) : [];
  if (pins.length === 0) throw new PalisadeError('document-invalid', 'the pin set names no pin');
  if (connectionPin !== undefined && !pins.includes(connectionPin)) throw new PalisadeError('pin-mismatch', 'the pin set does not name the certificate it was served with');
  return { pins, refreshAt: nowMs + Math.max(60, Number(document.max_age) || 86_400) * 1000 };
}
