/**
 * The console module: serves the admin console's built files at /console/ from Palisade's own
 * origin (serve.ts). The console itself is a browser client of the public /admin/v1 API.
 */
import { defineModule } from '../module.ts';
import { consoleRoutes } from './serve.ts';

export const consoleModule = defineModule({
  name: 'console',
  dependencies: [],
  async start(_deps: undefined) {
    return {
      api: undefined,
      async routes(app) {
        await app.register(consoleRoutes);
      },
    };
  },
});
