import type { Context } from 'hono';
import { badRequest, HttpError } from '../middleware/errors.js';

/**
 * Reads a SEP-24 request body in any of the three encodings (S24-03, X-06): multipart/form-data,
 * application/x-www-form-urlencoded or JSON. Returns flat string fields (booleans and numbers from JSON become
 * strings, so one zod schema validates every encoding). Files (binary SEP-9 fields) are dropped: the
 * interactive flow collects documents itself.
 */
export async function readSep24Body(c: Context): Promise<Record<string, string>> {
  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  const out: Record<string, string> = {};
  if (type.startsWith('application/json')) {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      throw badRequest('request body is not valid JSON');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw badRequest('request body must be a JSON object');
    }
    for (const [k, v] of Object.entries(json)) {
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else if (v !== null && v !== undefined) throw badRequest(`${k}: must be a string, number or boolean`);
    }
    return out;
  }
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    const form = await c.req.parseBody();
    for (const [k, v] of Object.entries(form)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  if (type === '') {
    // No body at all: every field is optional except asset_code, which the schema reports.
    const text = await c.req.text();
    if (text.trim() === '') return out;
  }
  throw new HttpError(
    415,
    'unsupported Content-Type: send multipart/form-data, application/x-www-form-urlencoded or application/json',
    'unsupported_media_type',
  );
}
