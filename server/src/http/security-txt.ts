/**
 * `/.well-known/security.txt` (RFC 9116) from the `securityTxt` settings: where to report a
 * vulnerability, until when that is valid, and the disclosure policy. Served only when a contact
 * is configured; `Canonical` names the file at the public URL, so a copy elsewhere is recognisable.
 */
import type { FastifyInstance } from 'fastify';

export const SECURITY_TXT_PATH = '/.well-known/security.txt';

export interface SecurityTxtSettings {
  contact: readonly string[];
  expires?: string | undefined;
  policy?: string | undefined;
  acknowledgments?: string | undefined;
  encryption?: string | undefined;
  preferredLanguages?: string | undefined;
}

/** The file's text: one `Field: value` per line (RFC 9116 §2.3), in the RFC's order. */
export function securityTxt(settings: SecurityTxtSettings, publicUrl: string): string {
  const lines = [
    ...settings.contact.map((c) => `Contact: ${c}`),
    `Expires: ${new Date(settings.expires!).toISOString()}`,
    ...(settings.encryption ? [`Encryption: ${settings.encryption}`] : []),
    ...(settings.acknowledgments ? [`Acknowledgments: ${settings.acknowledgments}`] : []),
    ...(settings.preferredLanguages ? [`Preferred-Languages: ${settings.preferredLanguages}`] : []),
    `Canonical: ${publicUrl.replace(/\/$/, '')}${SECURITY_TXT_PATH}`,
    ...(settings.policy ? [`Policy: ${settings.policy}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export async function securityTxtRoute(app: FastifyInstance, options: { settings: SecurityTxtSettings; publicUrl: string }): Promise<void> {
  const text = securityTxt(options.settings, options.publicUrl);
  app.get(
    SECURITY_TXT_PATH,
    {
      schema: {
        tags: ['well-known'],
        summary: 'Where to report a vulnerability (RFC 9116)',
        response: { 200: { description: 'The security.txt file', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(text),
  );
}
