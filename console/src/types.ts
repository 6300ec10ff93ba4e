/** The Lingo wire shapes the console reads (the open API's JSON: src/glossary/wire/entity-json.ts). */
export interface Term {
  key: string;
  display_status?: { allow_highlight: boolean; allow_search: boolean };
}

export interface Entity {
  id: string;
  main_keys: Term[];
  full_names?: Term[];
  aliases: Term[];
  description: string;
  rich_text?: string;
  creator?: string;
  updater?: string;
  source?: number;
  outer_info?: { provider: string; outer_id: string };
  related_meta?: {
    classifications?: { id: string; father_id?: string }[];
    images?: { token: string }[];
    abbreviations?: { id: string }[];
    links?: { title?: string; url: string }[];
  };
}

export interface Repo {
  id: string;
  name: string;
  company_wide: boolean;
}

export interface Classification {
  id: string;
  name: string;
  father_id?: string;
}

export interface Draft {
  draft_id: string;
  state: string;
  repo_id: string;
  entity: Entity;
  current: Entity | null;
}

export interface StoredFile {
  file_token: string;
  name: string;
  format: string;
  size: number;
  width: number;
  height: number;
}
