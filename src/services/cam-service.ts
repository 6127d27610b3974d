/**
 * The `cam` service (Tencent CAM 2019-01-16 subset, SPEC §9): sub-users, API keys and policies
 * of the caller's own account.
 *
 * Tencent's action names and shapes. Its spec is src/spec/cam.json; the handlers live in
 * ./cam/, and the domain rules (password hashing, the two-key limit, policy grammar) in
 * src/iam/. Who may call what is decided in ./cam/guards.ts: the root user manages everything
 * in its account; any user manages its own keys. Temporary credentials never reach this
 * service (src/iam/policy/decide.ts).
 */
import camSpec from '../spec/cam.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from './cam/access-keys.ts';
import type { CamDeps } from './cam/deps.ts';
import { attachUserPolicy, createPolicy, deletePolicy, detachUserPolicy, getPolicy, listAttachedUserPolicies, listPolicies } from './cam/policies.ts';
import { addUser, deleteUser, getUser, listUsers } from './cam/users.ts';
import type { ServiceDefinition } from './types.ts';

export const CAM_SPEC = serviceSpecSchema.parse(camSpec);

export function camService(deps: CamDeps): ServiceDefinition {
  return {
    spec: CAM_SPEC,
    audience: 'tenant',
    handlers: {
      AddUser: addUser(deps),
      ListUsers: listUsers(deps),
      GetUser: getUser(deps),
      DeleteUser: deleteUser(deps),
      CreateAccessKey: createAccessKey(deps),
      ListAccessKeys: listAccessKeys(deps),
      UpdateAccessKey: updateAccessKey(deps),
      DeleteAccessKey: deleteAccessKey(deps),
      CreatePolicy: createPolicy(deps),
      GetPolicy: getPolicy(deps),
      ListPolicies: listPolicies(deps),
      DeletePolicy: deletePolicy(deps),
      AttachUserPolicy: attachUserPolicy(deps),
      DetachUserPolicy: detachUserPolicy(deps),
      ListAttachedUserPolicies: listAttachedUserPolicies(deps),
    },
  };
}
