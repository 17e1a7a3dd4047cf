/**
 * The one logger of a Palisade process: created on the first line of start-up, handed to
 * Fastify, used by every module. JSON lines (for log shippers) or human-readable lines (for a
 * developer's console), never a mix: `log.format`, by default pretty in development and JSON
 * in production. Redaction is the same in both: header paths for the request serializers, and
 * the audit trail's rule for everything a module logs (any field named like a token, key, …).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';
import { redactForLog } from '../security/index.ts';
import { errorForLog } from '../db/index.ts';

export type LogFormat = 'pretty' | 'json';

/**
 * Query strings are never logged: authorization codes, states and tokens travel in them on
 * more paths than a list would keep up with (the start page at `/` receives codes, too).
 */
export const withoutQuery = (url: string): string => {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?[redacted]`;
};

/** pino's options for Palisade: level, redaction and the request serializer. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // Header paths for the request/response serializers; everything else a module logs goes
    // through the audit trail's rule (any field named like a token, key, secret, proof …).
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["dpop"]', 'req.headers["palisade-app-key"]', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    formatters: { log: (object: Record<string, unknown>) => redactForLog(object) },
    serializers: {
      // A database error is logged as its SQLSTATE, constraint and statement, never the SQL text
      // or the values bound to it (db/errors.ts).
      err: (error: Error) => errorForLog(error) as { type: string; message: string; stack: string },
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: withoutQuery(req.url), id: req.id }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

interface RequestLine {
  msg?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/**
 * One short line per request in pretty mode (`GET /api/v1/jobs 200 12 ms`); other lines keep
 * their message, with their fields on the same line.
 */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const line = log as RequestLine;
  if (line.req?.method && line.res?.statusCode !== undefined) {
    const took = typeof line.responseTime === 'number' ? ` ${Math.round(line.responseTime)} ms` : '';
    return `${line.req.method} ${line.req.url ?? ''} ${line.res.statusCode}${took}`;
  }
  return String(log[messageKey] ?? '');
}

/**
 * The process's logger. Written synchronously to stdout, so what is logged before an exit
 * (a start-up failure, "Palisade stopped.") is not lost.
 */
export function createLogger(options: { level: string; format: LogFormat; destination?: NodeJS.WritableStream }): Logger {
  const base = loggerOptions(options.level);
  if (options.format === 'json') {
    return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
  }
  const pretty = PinoPretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,req,res,responseTime',
    singleLine: true,
    messageFormat: prettyMessage,
    sync: true,
    ...(options.destination ? { destination: options.destination } : { destination: 1 }),
  });
  return pino(base, pretty);
}

/** The log format of `config`: as set, else pretty in development and JSON in production. */
export function logFormat(config: { production: boolean; log: { format?: LogFormat | undefined } }): LogFormat {
  return config.log.format ?? (config.production ? 'json' : 'pretty');
}
