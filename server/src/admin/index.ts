export { adminModule } from './module.ts';
export { adminListRoutes, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, type AdminListDeps } from './lists.ts';
