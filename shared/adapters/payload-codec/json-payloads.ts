/**
 * The Temporal remote codec server's wire format: `{payloads: [{metadata: {key: base64}, data: base64}]}`,
 * i.e. proto3 JSON of a Payloads message, where bytes travel as standard base64.
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const base64 = z.base64('must be base64');

const jsonPayloadSchema = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});

export const jsonPayloadsSchema = z.object({ payloads: z.array(jsonPayloadSchema) });

export type JsonPayload = z.infer<typeof jsonPayloadSchema>;

export function payloadFromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

export function payloadToJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, toBase64(value)])),
    data: toBase64(data ?? new Uint8Array(0)),
  };
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
