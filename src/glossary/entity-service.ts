import type { Principal } from '../auth/tokens.js';
import { invalidParam } from '../errors/lingo-error.js';
import { checkReferences, type ReferenceStores } from './entity-references.js';
import type { GlossaryStore } from './glossary-store.js';
import { entitySeqOf, type EntityContent, type EntityRecord, type OuterInfo, type RepoRecord } from './model.js';
import { actorOf, RepoAccess } from './repo-access.js';

/** How a route names an entity: its wire id, or `enterprise_0` with provider + outer_id (§5, §6). */
export interface EntityAddress {
  entityId: string;
  provider: string | null;
  outerId: string | null;
}

/** Exempt entity writes and reads (§3–§7): the rules that need the stores, after the body's own. */
export class EntityService {
  readonly repos: RepoAccess;

  /**
   * `files`: where image tokens are looked up. The server passes its FileService, which also sees
   * the rows of uploads acknowledged but not yet in the database; a command that never uploads
   * may pass the metadata store.
   */
  constructor(
    private readonly files: ReferenceStores['meta'],
    private readonly glossary: GlossaryStore,
    private readonly now: () => number = Date.now,
  ) {
    this.repos = new RepoAccess(glossary);
  }

  async create(principal: Principal, repoId: string | null, content: EntityContent): Promise<EntityRecord> {
    const repo = await this.repos.resolve(principal, repoId);
    const checked = await this.checkReferences(principal, repo, content);
    const at = this.now();
    const actor = actorOf(principal);
    const written = await this.glossary.insertEntity({
      tenantKey: principal.tenantKey,
      repoId: repo.id,
      content: checked,
      creator: actor,
      updater: actor,
      createdAtMs: at,
      updatedAtMs: at,
      source: 4,
    });
    if (written === 'outer-info-taken') throw outerInfoTaken(checked.outerInfo);
    return written;
  }

  async update(principal: Principal, entityId: string, content: EntityContent): Promise<EntityRecord> {
    const current = await this.find(principal, { entityId, provider: null, outerId: null });
    const repo = await this.glossary.findRepo(current.repoId);
    const checked = await this.checkReferences(principal, repo!, content);
    const written = await this.glossary.replaceEntity(principal.tenantKey, current.seq, checked, actorOf(principal), this.now());
    if (written === 'outer-info-taken') throw outerInfoTaken(checked.outerInfo);
    if (written === 'missing') throw noEntity('entity_id', entityId);
    return written;
  }

  async delete(principal: Principal, address: EntityAddress): Promise<void> {
    const entity = await this.find(principal, address);
    if (!(await this.glossary.deleteEntity(principal.tenantKey, entity.seq))) throw noEntity('entity_id', address.entityId);
  }

  /** By wire id, or by `enterprise_0` + provider + outer_id; a real id wins over the pair (§5 Decision). */
  async find(principal: Principal, address: EntityAddress): Promise<EntityRecord> {
    const seq = entitySeqOf(address.entityId);
    if (seq === undefined) throw invalidParam('entity_id', 'must be enterprise_ followed by decimal digits');
    if (seq !== '0') {
      const entity = await this.repos.visibleEntity(principal, await this.glossary.findEntity(principal.tenantKey, seq));
      if (!entity) throw noEntity('entity_id', address.entityId);
      return entity;
    }
    if (address.provider === null || address.outerId === null) {
      const missing = address.provider === null ? 'provider' : 'outer_id';
      throw invalidParam(missing, 'enterprise_0 addresses an entity by provider and outer_id: both are required');
    }
    const outer = { provider: address.provider, outerId: address.outerId };
    const entity = await this.repos.visibleEntity(principal, await this.glossary.findEntityByOuterInfo(principal.tenantKey, outer));
    if (!entity) throw invalidParam('outer_id', `no entity has provider ${outer.provider} and outer_id ${outer.outerId}`);
    return entity;
  }

  checkReferences(principal: Principal, repo: RepoRecord, content: EntityContent): Promise<EntityContent> {
    const glossary: ReferenceStores['glossary'] = {
      findClassifications: (repoId, ids) => this.glossary.findClassifications(repoId, ids),
      // An abbreviation may name only what the caller may see: an entity of a repo not granted
      // to it does not exist for it, here as on get (else a write would probe for its ids).
      findEntity: async (tenantKey, seq) => this.repos.visibleEntity(principal, await this.glossary.findEntity(tenantKey, seq)),
    };
    return checkReferences(content, { tenantKey: principal.tenantKey, repoId: repo.id }, { meta: this.files, glossary });
  }
}

export function noEntity(field: string, entityId: string) {
  return invalidParam(field, `no entity ${entityId} is visible to this app`);
}

export function outerInfoTaken(outer: OuterInfo | null) {
  return invalidParam('outer_info', `another entity already has provider ${outer?.provider ?? ''} and outer_id ${outer?.outerId ?? ''}`);
}
