import * as z from 'zod';

/**
 * What a fleet id or a policy job id may be: UCS ids are UUIDs (`metadata.uid`) or Kubernetes-style names
 * (DNS-1123 subdomains: lowercase letters, digits, `-` and `.`, each dot-separated part starting and ending with a
 * letter or digit, at most 253 characters). Anything else (a lone surrogate, NUL, U+202E, `..`, a slash) is
 * refused before it can reach a URL path, a log line or the watch list: `..` as a path segment would call another
 * UCS route.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME_LENGTH = 253;

/** Why `id` is not a UCS id, or undefined when it is one. */
export function ucsIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (UUID.test(id)) return undefined;
  if (id.length > MAX_NAME_LENGTH) return `must be a UUID or a Kubernetes name of at most ${MAX_NAME_LENGTH} characters`;
  if (!KUBERNETES_NAME.test(id)) return 'must be a UUID or a Kubernetes name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)';
  return undefined;
}

/** True when `id` is a UUID or a Kubernetes-style name. */
export const isUcsId = (id: string) => ucsIdProblem(id) === undefined;

/** A fleet id or a policy job id, validated with the rule above. */
export const UcsId = z.string().superRefine((id, ctx) => {
  const problem = ucsIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A printable form of an id for logs and errors: what is not plain ASCII is escaped, so it cannot forge a line. */
export function printableId(id: string): string {
  return JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
