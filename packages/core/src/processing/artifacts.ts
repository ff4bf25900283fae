import { InvalidCallError } from '../errors.js';
import type { ArtifactOptions } from '../spec.js';

/**
 * `logArtifact`'s options: their shape (a wrong shape throws at once, like every call-shape error) and the
 * rules for names, types and aliases (bad values are data: the validation policy decides). The rules are
 * W&B's, the one backend that names and versions artifacts (docs.wandb.ai, `wandb.Artifact` and "Alias
 * limits"); others ignore these options.
 */

export const ARTIFACT_OPTION_KEYS = ['artifactPath', 'type', 'name', 'aliases', 'input'] as const;

/** W&B's longest artifact name, type or alias. */
export const ARTIFACT_NAME_MAX = 128;
const NAME_CHARS = /^[A-Za-z0-9._-]+$/;

export function assertArtifactOptions(options: unknown): asserts options is ArtifactOptions | undefined {
  const method = 'logArtifact()';
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidCallError(method, "the second argument must be an options object such as { artifactPath: 'model', type: 'model' }");
  for (const [key, value] of Object.entries(options)) {
    if (!(ARTIFACT_OPTION_KEYS as readonly string[]).includes(key))
      throw new InvalidCallError(method, `unknown option \`${key}\`; the options are ${ARTIFACT_OPTION_KEYS.map((k) => `\`${k}\``).join(', ')}`);
    if (value === undefined) continue;
    if ((key === 'artifactPath' || key === 'type' || key === 'name') && typeof value !== 'string')
      throw new InvalidCallError(method, `\`${key}\` must be a string`);
    if (key === 'input' && typeof value !== 'boolean') throw new InvalidCallError(method, '`input` must be true or false');
    if (key === 'aliases' && (!Array.isArray(value) || value.some((a) => typeof a !== 'string')))
      throw new InvalidCallError(method, "`aliases` must be an array of strings, e.g. ['best']");
  }
}

/** Why `name` cannot name an artifact (with the fix), or undefined when it can. */
export function artifactNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > ARTIFACT_NAME_MAX || !NAME_CHARS.test(name))
    return `an artifact name has 1 to ${ARTIFACT_NAME_MAX} letters, digits, '-', '_' or '.'; pass { name: '${suggestArtifactName(name)}' }`;
  return undefined;
}

/** Why `type` cannot be an artifact type (with the fix), or undefined when it can. */
export function artifactTypeProblem(type: string): string | undefined {
  if (type.length === 0 || type.length > ARTIFACT_NAME_MAX || !NAME_CHARS.test(type))
    return `an artifact type has 1 to ${ARTIFACT_NAME_MAX} letters, digits, '-', '_' or '.'; pass { type: '${suggestArtifactName(type, 'model')}' }`;
  if (type === 'job' || type.startsWith('wandb-')) return `the artifact type "${type}" is reserved by W&B; pass another, e.g. { type: 'model' }`;
  return undefined;
}

/** Why `alias` cannot be an alias (with the fix), or undefined when it can. */
export function artifactAliasProblem(alias: string): string | undefined {
  if (alias.length === 0 || alias.length > ARTIFACT_NAME_MAX || /[/:]/.test(alias))
    return `an artifact alias has 1 to ${ARTIFACT_NAME_MAX} characters and no '/' or ':'; pass e.g. { aliases: ['${suggestArtifactName(alias, 'best')}'] }`;
  // W&B numbers versions itself (v0, v1, …) and ignores such aliases.
  if (/^v\d+$/.test(alias)) return `"${alias}" is a W&B version name, not an alias; pick another, e.g. { aliases: ['best'] }`;
  return undefined;
}

/** `text` turned into a valid name: other characters become '-', cut to the longest name. */
export function suggestArtifactName(text: string, fallback = 'artifact'): string {
  const s = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ARTIFACT_NAME_MAX);
  return s === '' ? fallback : s;
}
