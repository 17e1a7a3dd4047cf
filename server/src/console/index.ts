export { consoleModule } from './module.ts';
export { consoleRoutes, CONSOLE_DIST } from './serve.ts';
