/** The spec format as the CLI reads it (the subset of src/spec/model.ts it uses, without Zod). */
export interface Member {
  name: string;
  type: 'String' | 'Int64' | 'Uint64' | 'Integer' | 'Float' | 'Bool' | 'Datetime' | 'Object';
  array?: boolean;
  ref?: string;
  required: boolean;
  nullable: boolean;
  document: string;
  documentEn?: string;
  example?: string;
  default?: string | number | boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  enum?: string[];
  filters?: string[];
}

export interface Action {
  title: string;
  titleEn: string;
  document: string;
  rateLimit: number;
  mutating: boolean;
  origin: 'reference' | 'extension';
  input: Member[];
  output: Member[];
}

export interface ServiceSpec {
  service: string;
  version: string;
  actions: Record<string, Action>;
  objects: Record<string, { document: string; members: Member[] }>;
}
