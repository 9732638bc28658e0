import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';
import { netFields } from '../net-shared/fields.js';

const statusCode = z.int().min(100).max(599);

const url = z.string().superRefine((text, issue) => {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    issue.addIssue({ code: 'custom', message: 'expected a URL such as http://127.0.0.1:8080/health' });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    issue.addIssue({ code: 'custom', message: 'expected an http:// or https:// URL' });
  }
});

const regex = z.string().superRefine((pattern, issue) => {
  try {
    new RegExp(pattern);
  } catch (err) {
    issue.addIssue({ code: 'custom', message: `expected a regular expression (${(err as Error).message})` });
  }
});

export function httpCheckSchema(ctx: FieldContext) {
  const n = netFields(ctx);
  return z
    .strictObject({
      type: z.literal('http').meta({ description: 'Requests a URL over HTTP or HTTPS.' }),
      ...commonCheckFields(ctx),
      url: url.meta({
        description: 'The http:// or https:// URL to request. A user:password in it is sent as Basic auth.',
      }),
      method: z.enum(['GET', 'HEAD', 'POST']).default('GET').meta({ description: 'HTTP method.' }),
      headers: z
        .record(
          z
            .string()
            .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'expected a header name' })
            .meta({ hint: 'a header name such as Authorization or X-Api-Key (no spaces or colons)' }),
          z.string().regex(/^[^\r\n]*$/, { message: 'a header value cannot contain a line break' }),
        )
        .default({})
        .meta({ description: 'Request headers. Their values are never shown in results or logs.' }),
      body: z.string().optional().meta({ description: 'Request body (POST only).' }),
      expect: z
        .strictObject({
          status: z
            .union([statusCode, z.array(statusCode).min(1)])
            .transform((s) => (typeof s === 'number' ? [s] : s))
            .optional()
            .meta({ description: 'Expected status code, or a list of them. Default: any 2xx.' }),
          body_contains: z.string().min(1).optional().meta({
            description: 'Text the response body (its first MiB) must contain.',
          }),
          body_matches: regex.optional().meta({
            description:
              'Regular expression (JavaScript syntax) the response body (its first MiB) must match.',
          }),
          max_latency: fields(ctx)
            .duration('A response slower than this (headers and body) makes the check degraded.')
            .optional(),
        })
        .prefault({})
        .meta({ description: 'What a healthy response looks like.' }),
      follow_redirects: z.boolean().default(true).meta({
        description:
          'Follow up to 5 redirects and judge the final response; false judges the redirect itself.',
      }),
      insecure_skip_verify: n.insecureSkipVerify,
      ca_file: n.caFile,
      warn_days: n.warnDays,
    })
    .superRefine((value, issue) => {
      if (value.body !== undefined && value.method !== 'POST') {
        issue.addIssue({ code: 'custom', path: ['body'], message: 'a body is sent only with method: POST' });
      }
    })
    .meta({
      description:
        'Up when the URL answers with the expected status and body; degraded when slow or its certificate expires soon.',
    });
}

export type HttpCheckConfig = z.output<ReturnType<typeof httpCheckSchema>>;
