import type { PolicyFindingRecord, PolicyRunSummary, Store } from '../store/index.js';

export type ComplianceStatus = 'compliant' | 'warnings' | 'non-compliant';

export interface ServiceCompliance {
  service: string;
  status: ComplianceStatus;
  open: { error: number; warning: number; info: number };
  excepted: number;
}

export interface ComplianceReport {
  lastRun: PolicyRunSummary | null;
  services: ServiceCompliance[];
}

/**
 * Compliance per service from the recorded findings: non-compliant with an open error,
 * "warnings" with an open warning, compliant otherwise (info and excepted findings do not count).
 */
export function complianceReport(store: Store, composeServices: readonly string[]): ComplianceReport {
  const byService = new Map<string, ServiceCompliance>();
  const entry = (service: string): ServiceCompliance => {
    let e = byService.get(service);
    if (!e) {
      e = { service, status: 'compliant', open: { error: 0, warning: 0, info: 0 }, excepted: 0 };
      byService.set(service, e);
    }
    return e;
  };
  for (const name of composeServices) entry(name);
  for (const f of store.policyFindings.list() as PolicyFindingRecord[]) {
    const e = entry(f.service);
    if (f.state === 'excepted') e.excepted++;
    else e.open[f.severity]++;
  }
  for (const e of byService.values()) {
    e.status = e.open.error > 0 ? 'non-compliant' : e.open.warning > 0 ? 'warnings' : 'compliant';
  }
  const services = [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
  return { lastRun: store.policyFindings.lastRun(), services };
}
