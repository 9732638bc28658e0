import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { complianceReport } from '../../policy/compliance-summary.js';
import { serviceNameMap } from '../../policy/targets.js';
import type { ServerDeps } from '../app.js';
import { errorBody, policyFindingBody, policyRunBody, policyServiceBody } from '../schemas.js';

export function policyRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/policy',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Compose policy compliance per service, with the live findings (open and excepted)',
          security: [{ bearer: [] }],
          querystring: z.object({
            service: z.string().optional(),
            include_resolved: z.enum(['true', 'false']).optional(),
          }),
          response: {
            200: z.object({
              lastRun: policyRunBody,
              services: z.array(policyServiceBody),
              findings: z.array(policyFindingBody),
            }),
            401: errorBody,
          },
        },
      },
      async (request) => {
        const composeServices = [...serviceNameMap(deps.config()).values()];
        const report = complianceReport(deps.store, composeServices);
        const findings = deps.store.policyFindings.list({
          ...(request.query.service !== undefined ? { service: request.query.service } : {}),
          includeResolved: request.query.include_resolved === 'true',
        });
        return { ...report, findings };
      },
    );
    app.post(
      '/policy/check',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Lint the configured compose files now and record the result',
          security: [{ bearer: [] }],
          response: {
            200: z.object({ checked: z.boolean(), open: z.number() }),
            401: errorBody,
            403: errorBody,
          },
        },
      },
      async () => {
        const result = deps.compliance?.runNow() ?? null;
        return { checked: result !== null, open: result?.findings.length ?? 0 };
      },
    );
  };
}
