/**
 * What the gateway's authorization steps use from IAM, in one place: pure functions over the
 * principal's already-loaded policies and the request's validated input — no store, no I/O
 * (the policies arrive with the principal, through the credential resolver port; resource tags
 * through `ResourceTagReader`).
 */
export { firstDeniedResource, mayBeAllowed, needsEvaluation, needsResourceTags } from './policy/decide.ts';
export { accountWideResource, canReadResourceTags, resourceRefs, type ResourceTags } from './resources.ts';
