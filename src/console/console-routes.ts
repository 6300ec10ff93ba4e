import type { FileService } from '../files/file-service.js';
import type { DraftService } from '../glossary/draft-service.js';
import type { EntityService } from '../glossary/entity-service.js';
import type { GlossaryStore } from '../glossary/glossary-store.js';
import type { Paging } from '../glossary/paging.js';
import type { Route } from '../http/route.js';
import type { MetaStore } from '../meta/meta-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import { adminRoutes } from './admin-routes.js';
import type { ConsoleAuth } from './console-auth.js';
import { draftRoutes } from './draft-routes.js';
import { entityRoutes } from './entity-routes.js';
import { fileRoutes } from './file-routes.js';
import { sessionRoutes } from './session-routes.js';
import { staticRoutes } from './static-routes.js';

export interface ConsoleDeps {
  auth: ConsoleAuth;
  meta: MetaStore;
  blobs: BlobStore;
  glossary: GlossaryStore;
  files: FileService;
  entities: EntityService;
  drafts: DraftService;
  paging: Paging;
}

/** Every /console route: the JSON API under /console/api, then the page shell and its assets. */
export function consoleRoutes(d: ConsoleDeps): Route[] {
  return [
    ...sessionRoutes(d.auth),
    ...entityRoutes(d.auth, d.entities, d.glossary, d.paging),
    ...draftRoutes(d.auth, d.drafts, d.glossary),
    ...fileRoutes(d.auth, d.files, d.blobs, d.glossary),
    ...adminRoutes(d.auth, d.meta, d.glossary, d.entities),
    ...staticRoutes(d.auth),
  ];
}
