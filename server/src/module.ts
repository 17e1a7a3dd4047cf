/**
 * The module contract. Every feature folder under src/ exports one `PalisadeModule` (from its
 * `module.ts`, re-exported by its `index.ts`): what it is called, which modules it needs started
 * before it, what it owns (its configuration section, permissions, problem types, migrations),
 * and how it starts: `start()` acquires what the module needs and hands back its API, its routes
 * as a Fastify plugin, and how to stop it.
 *
 * The style is Fastify's plugins (a plugin declares the plugins it depends on, and registration
 * fails when one is missing) and better-auth's (one object per feature carries its schema,
 * routes and hooks). `ModuleLifecycle` is the one place that starts modules, in dependency
 * order, and stops them in the reverse order, exactly once, on every path: a normal stop, a
 * signal, and a failure part-way through start-up (what had started is stopped again).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TSchema } from 'typebox';

export interface ModuleInstance<Api> {
  /** What other modules may use (passed to their `start` by the composition root). */
  readonly api: Api;
  /** The module's routes, registered as an encapsulated Fastify plugin once the app exists. */
  readonly routes?: FastifyPluginAsync;
  /** Runs once the app answers requests: timers and background work start here, not in `start`. */
  serve?(): void;
  /**
   * Releases what `start` acquired (timers, connections, queues). Called once, after every
   * module that started later has stopped. A module whose `start` throws has cleaned up after
   * itself; it is not stopped.
   */
  stop?(): Promise<void>;
}

export interface PalisadeModule<Deps = void, Api = void> {
  /** Unique; other modules name it in `dependencies`. */
  readonly name: string;
  /** Modules that must have started before this one (checked at start, like fastify-plugin). */
  readonly dependencies: readonly string[];
  /** The top-level configuration keys this module owns. */
  readonly config?: readonly string[];
  /**
   * The configuration sections this module defines itself, by setting path (`monitoring`,
   * `upstream.claims`). config/schema.ts composes these very objects into the one schema (a
   * test checks each is there, not a copy), so a module's settings change in its own folder and
   * the configuration depends on the modules, never the other way round.
   */
  readonly configSchema?: Readonly<Record<string, TSchema>>;
  /** The permissions of the matrix (authz/matrix.ts) this module's routes check. */
  readonly permissions?: readonly string[];
  /** The problem types (http/problems.ts) this module answers with. */
  readonly problems?: readonly string[];
  /** The migrations (db/migrations/*.sql) that create and change this module's tables. */
  readonly migrations?: readonly string[];
  start(deps: Deps): Promise<ModuleInstance<Api>>;
}

/** Helps TypeScript infer `Deps` and `Api` from an object literal. */
export function defineModule<Deps, Api>(module: PalisadeModule<Deps, Api>): PalisadeModule<Deps, Api> {
  return module;
}

export interface StopReport {
  /** Modules whose stop failed, with the error (every other module was still stopped). */
  failures: { module: string; error: unknown }[];
}

/**
 * The started modules of one server. `start` runs a module after checking that its
 * dependencies are running; `stop` stops them all in reverse, once: later calls return the
 * same promise, so a signal during a failed start-up and the failure's own clean-up do not
 * stop anything twice.
 */
export class ModuleLifecycle {
  private readonly started: { name: string; instance: ModuleInstance<unknown> }[] = [];
  private stopping: Promise<StopReport> | undefined;

  async start<Deps, Api>(module: PalisadeModule<Deps, Api>, deps: Deps): Promise<Api> {
    if (this.stopping) throw new Error(`module ${module.name}: the server is stopping`);
    if (this.started.some((s) => s.name === module.name)) throw new Error(`module ${module.name} is already started`);
    const missing = module.dependencies.filter((name) => !this.started.some((s) => s.name === name));
    if (missing.length > 0) throw new Error(`module ${module.name} needs ${missing.join(', ')} started first`);
    const instance = await module.start(deps);
    this.started.push({ name: module.name, instance });
    return instance.api;
  }

  /** The names of the started modules, in start order. */
  get names(): string[] {
    return this.started.map((s) => s.name);
  }

  /** Every started module's routes, in start order. */
  get routes(): { module: string; plugin: FastifyPluginAsync }[] {
    return this.started.flatMap((s) => (s.instance.routes ? [{ module: s.name, plugin: s.instance.routes }] : []));
  }

  /** Tells every module the app now answers requests. */
  serve(): void {
    for (const { instance } of this.started) instance.serve?.();
  }

  stop(): Promise<StopReport> {
    this.stopping ??= (async () => {
      const failures: StopReport['failures'] = [];
      for (const { name, instance } of [...this.started].reverse()) {
        try {
          await instance.stop?.();
        } catch (error) {
          failures.push({ module: name, error });
        }
      }
      return { failures };
    })();
    return this.stopping;
  }
}
