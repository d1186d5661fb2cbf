// The router: the terminal filter, always present and always last (registry.ts).
import { typed } from '../json';
import { chainWideInstance } from './instance';
import type { HttpFilterModule } from './types';

export const ROUTER_FILTER = 'envoy.filters.http.router';

export const routerFilter: HttpFilterModule = {
  id: 'router',
  instances: () => [chainWideInstance(ROUTER_FILTER, typed('envoy.extensions.filters.http.router.v3.Router'))],
};
