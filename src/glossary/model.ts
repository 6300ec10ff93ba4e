/**
 * The glossary's domain model: what a Lingo entity, draft, repo and classification are inside
 * lingo-server, independent of the wire (src/glossary/wire/ renders and parses the Feishu JSON) and
 * of the store (src/glossary/glossary-store.ts keeps them). Ids are decimal strings of positive
 * integers the store assigns; an entity's wire id is `enterprise_<seq>` (enterprise_0 is Feishu's
 * "address by outer_info" sentinel, so no entity ever has seq 0).
 */

export interface DisplayStatus {
  allowHighlight: boolean;
  allowSearch: boolean;
}

export interface Term {
  key: string;
  displayStatus: DisplayStatus;
}

export interface OuterInfo {
  provider: string;
  outerId: string;
}

/** 1 zh, 2 en, 3 ja. */
export type Language = 1 | 2 | 3;

export interface I18nDesc {
  language: Language;
  description?: string;
  richText?: string;
}

export interface RelatedMeta {
  users: { id: string; title?: string }[];
  chats: { id: string }[];
  docs: { title?: string; url?: string }[];
  oncalls: { id: string }[];
  links: { title?: string; url?: string }[];
  /** Related entities, by wire id. */
  abbreviations: { id?: string }[];
  /** Second-level classification ids, each with its first-level parent. */
  classifications: { id: string; fatherId?: string }[];
  /** file_tokens of this tenant's uploads. */
  images: { token: string }[];
}

/**
 * What an entity write (create, full-replace update, draft, approval) supplies once validated:
 * `description` and `richText` are both filled (each derived from the other when one was absent).
 */
export interface EntityContent {
  mainKeys: Term[];
  /** null: never sent (the Node SDK's undocumented field is echoed only when it was set). */
  fullNames: Term[] | null;
  aliases: Term[];
  description: string;
  richText: string;
  relatedMeta: RelatedMeta;
  outerInfo: OuterInfo | null;
  i18nDescs: I18nDesc[];
}

/** 1 created by a user, 2 bulk import, 3 official, 4 created through the open API. */
export type EntitySource = 1 | 2 | 3 | 4;

export interface EntityRecord {
  /** Positive integer, decimal; the wire id is `enterprise_<seq>`. */
  seq: string;
  tenantKey: string;
  repoId: string;
  content: EntityContent;
  /** App id for a tenant token, the user's id for a user token. */
  creator: string;
  updater: string;
  createdAtMs: number;
  updatedAtMs: number;
  source: EntitySource;
}

export type DraftState = 'pending' | 'approved' | 'rejected';

export interface DraftRecord {
  draftId: string;
  tenantKey: string;
  repoId: string;
  /** The entity the draft overwrites once approved; null: a new entity (or one found by outer_info then). */
  targetSeq: string | null;
  content: EntityContent;
  state: DraftState;
  /** Who submitted it (app id or user id) and through which app. */
  creator: string;
  appId: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** Set when approved: the entity it created or overwrote. */
  entitySeq: string | null;
}

export interface RepoRecord {
  id: string;
  tenantKey: string;
  name: string;
  /** The tenant's 全员词库: visible to every app of the tenant, the default wherever repo_id is absent. */
  companyWide: boolean;
}

export interface ClassificationRecord {
  id: string;
  repoId: string;
  name: string;
  /** null for a first-level classification. */
  fatherId: string | null;
  i18nNames: { language: Language; name: string }[];
}

export const entityIdPrefix = 'enterprise_';

export function entityWireId(seq: string): string {
  return entityIdPrefix + seq;
}

/** `enterprise_<digits>` → seq; undefined for any other shape. `enterprise_0` gives '0'. */
export function entitySeqOf(wireId: string): string | undefined {
  const m = /^enterprise_(0|[1-9][0-9]{0,18})$/.exec(wireId);
  return m?.[1];
}
