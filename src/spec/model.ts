/**
 * The API as data.
 *
 * Every service we speak (bms 2018-08-13 today; vpc and the operator API later) is one JSON
 * document shaped like Tencent's own `api.json`: a map of actions and a map of shared structures
 * ("objects"). Each action lists its input and output members exactly as the reference's
 * parameter tables do (name, type, required, allowed-NULL, description) plus the limits the
 * tables state in prose (lengths, ranges, enum values, maximum array sizes, filter names).
 *
 * Nothing wire-shaped is written twice: the gateway's validator interprets these members,
 * `scripts/codegen.ts` turns them into TypeScript types, and the action registry is checked
 * against the action list. This file defines the document's format as a Zod schema so that a
 * typo in a spec file fails at load time, with the path of the bad entry.
 */
import { z } from 'zod';

/** Wire types from the reference's tables ("Array of X" is `array: true` with type X). */
export const FIELD_TYPES = ['String', 'Int64', 'Uint64', 'Integer', 'Float', 'Bool', 'Datetime', 'Object'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const member = z
  .object({
    name: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
    type: z.enum(FIELD_TYPES),
    array: z.boolean().optional(),
    /** For `type: "Object"`: the structure's name in `objects`. */
    ref: z.string().optional(),
    required: z.boolean(),
    /** The reference's 允许NULL column (input) or "可能返回 null" (output). */
    nullable: z.boolean(),
    /** The reference's description (Chinese), with prose limits kept. */
    document: z.string(),
    /** A short English description for SDK/CLI help. */
    documentEn: z.string().optional(),
    example: z.string().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().positive().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minItems: z.number().int().nonnegative().optional(),
    maxItems: z.number().int().positive().optional(),
    enum: z.array(z.string()).optional(),
    /** For a `Filters` member: the filter names the action accepts. */
    filters: z.array(z.string()).optional(),
    /** For a `Filters` member: the most values one filter may carry. */
    maxFilterValues: z.number().int().positive().optional(),
    /**
     * Other wire types accepted on input where the manual and the vendor's models disagree: an
     * integer member with `["String"]` takes a decimal string too, a String member with
     * `["Int64"]` an integer too; either way the handler gets the member's own type.
     */
    alsoAccepts: z.array(z.enum(FIELD_TYPES)).optional(),
  })
  .strict()
  .refine((m) => (m.type === 'Object') === (m.ref !== undefined), {
    message: 'an Object member needs `ref`, and only an Object member may have one',
  });
export type Member = z.infer<typeof member>;

const action = z
  .object({
    /** The reference's title for the action (Chinese). */
    title: z.string(),
    titleEn: z.string(),
    document: z.string(),
    /** Requests per second per account (SPEC §2). */
    rateLimit: z.number().int().positive(),
    /** Mutating actions are executed once per signature (repeats get the first answer) and audited; read-only ones are not. */
    mutating: z.boolean(),
    /**
     * A read that reveals a secret (DescribeOutbandInfo: a BMC password). A signature that did
     * not sign X-TC-Action may serve it only if it was first used for this very action.
     */
    returnsSecret: z.boolean().optional(),
    /** `reference` = one of the 26 documented actions; `extension` = SPEC §6. */
    origin: z.enum(['reference', 'extension']),
    input: z.array(member),
    output: z.array(member),
  })
  .strict();
export type Action = z.infer<typeof action>;

const structure = z
  .object({
    document: z.string(),
    members: z.array(member),
  })
  .strict();
export type Structure = z.infer<typeof structure>;

export const serviceSpecSchema = z
  .object({
    service: z.string(),
    version: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    actions: z.record(z.string().regex(/^[A-Z][A-Za-z0-9]*$/), action),
    objects: z.record(z.string(), structure),
  })
  .strict();
export type ServiceSpec = z.infer<typeof serviceSpecSchema>;

/** Checks cross references: every `ref` names a structure that exists. */
export function checkReferences(spec: ServiceSpec): string[] {
  const problems: string[] = [];
  const visit = (where: string, members: Member[]) => {
    for (const m of members) {
      if (m.ref !== undefined && !(m.ref in spec.objects)) problems.push(`${where}.${m.name}: unknown structure ${m.ref}`);
    }
  };
  for (const [name, a] of Object.entries(spec.actions)) {
    visit(`${name}.input`, a.input);
    visit(`${name}.output`, a.output);
  }
  for (const [name, s] of Object.entries(spec.objects)) visit(name, s.members);
  return problems;
}
