/**
 * Key ids of sealed payloads this process met without the key to open them. The health report names
 * them, so an operator who dropped a key that history still needs learns which one to put back.
 */
import { KEY_ID_PATTERN } from './keys';

/** A handful is plenty: a deployment has few keys, and ids read from stray payloads must not grow this. */
const MAX_TRACKED = 16;

export class MissingKeySightings {
  private readonly lastSeenMs = new Map<string, number>();

  record(keyId: string, atMs = Date.now()): void {
    if (!KEY_ID_PATTERN.test(keyId)) return;
    this.lastSeenMs.delete(keyId);
    this.lastSeenMs.set(keyId, atMs);
    if (this.lastSeenMs.size > MAX_TRACKED) this.lastSeenMs.delete(this.lastSeenMs.keys().next().value!);
  }

  /** Key ids met at or after `fromMs`, sorted. */
  seenSince(fromMs: number): string[] {
    return [...this.lastSeenMs].filter(([, atMs]) => atMs >= fromMs).map(([keyId]) => keyId).sort();
  }
}

/** The process's own record: filled by the data converter's codec (workflow and client payloads). */
export const missingKeySightings = new MissingKeySightings();
