/**
 * The report as one self-contained HTML page for a DPO or an auditor: the disclaimer first, the
 * summary, the evidence (audit verification, key ages, breach clocks), then each framework's
 * controls and the checks behind them. No script, no outside resource; every value is escaped.
 */
import type { ComplianceReport } from './report.ts';

const escape = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LABEL = { met: 'met', 'not-met': 'not met', operator: 'operator’s responsibility' } as const;
const badge = (status: keyof typeof LABEL) => `<span class="s ${status}">${LABEL[status]}</span>`;
const value = (v: unknown) => escape(typeof v === 'string' ? v : JSON.stringify(v));

export function reportHtml(report: ComplianceReport): string {
  const e = report.evidence;
  const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;
  const evidence = [
    `<li>Last audit verification: ${e.lastAuditVerify ? `${escape(e.lastAuditVerify.at)}, ${e.lastAuditVerify.ok ? 'chain intact' : '<strong>chain broken</strong>'}${e.lastAuditVerify.checked !== null ? `, ${e.lastAuditVerify.checked} records` : ''}` : 'none recorded'}</li>`,
    `<li>Token signing keys: ${e.signingKeys.map((k) => `${escape(k.kid)} (${escape(k.alg)}, ${k.state}, ${k.ageDays} days)`).join('; ') || 'none'}</li>`,
    `<li>App keys: ${e.appKeys.map((k) => `${escape(k.appId)}/${escape(k.id)} (${escape(k.status)}, ${k.ageDays} days)`).join('; ') || 'none'}</li>`,
    `<li>Open breach incidents: ${e.openIncidents.map((i) => `${escape(i.id)}: ${i.secondsLeft < 0 ? `<strong>overdue by ${hours(-i.secondsLeft)}</strong>` : `${hours(i.secondsLeft)} left`} (notify by ${escape(i.notifyBy)})`).join('; ') || 'none'}</li>`,
  ].join('\n');
  const frameworks = report.frameworks
    .map(
      (f) => `<section>
<h2>${escape(f.name)}</h2>
<p class="scope">${escape(f.scope)}</p>
<p>${f.summary.met} met, ${f.summary.notMet} not met, ${f.summary.operator} the operator’s responsibility</p>
<table><thead><tr><th>Control</th><th>Status</th><th>Checks</th><th>Fix or responsibility</th></tr></thead><tbody>
${f.controls
  .map(
    (c) =>
      `<tr><td><strong>${escape(c.ref)}</strong> ${escape(c.title)}</td><td>${badge(c.status)}</td><td>${c.checks.map((id) => `<a href="#check-${escape(id)}">${escape(id)}</a>`).join(', ')}</td><td>${[...c.fixes.map((x) => `Fix: ${escape(x)}`), ...(c.responsibility ? [`Operator: ${escape(c.responsibility)}`] : [])].join('<br>')}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
</section>`,
    )
    .join('\n');
  const checks = report.checks
    .map(
      (c) => `<tr id="check-${escape(c.id)}"><td><strong>${escape(c.id)}</strong><br>${escape(c.title)}</td><td>${badge(c.status)}</td><td>${escape(c.summary)}${c.fix ? `<br><em>Fix:</em> ${escape(c.fix)}` : ''}</td><td>${Object.entries(c.evidence)
        .map(([k, v]) => `<code>${escape(k)}</code> = <code>${value(v)}</code>`)
        .join('<br>')}</td><td>${c.tests.map((t) => `<code>${escape(t)}</code>`).join('<br>')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Palisade compliance report — ${escape(report.generatedAt)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 78rem; padding: 0 1rem; color: #1d1d1f; }
.disclaimer { border: 2px solid #b45309; background: #fffbeb; padding: .75rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
.s { border-radius: 4px; padding: 0 .4rem; white-space: nowrap; }
.met { background: #dcfce7; color: #166534; } .not-met { background: #fee2e2; color: #991b1b; } .operator { background: #e0e7ff; color: #3730a3; }
.scope { color: #555; }
code { font-size: 12px; word-break: break-all; }
</style>
</head>
<body>
<h1>Palisade compliance report</h1>
<p class="disclaimer"><strong>Not a certification.</strong> ${escape(report.disclaimer)}</p>
<p>Generated ${escape(report.generatedAt)} for ${escape(report.instance.publicUrl)} (${report.instance.production ? 'production' : 'not production'}; configuration: ${escape(report.instance.configSource)}). Format ${escape(report.format)}. Evidence is read live from the configuration and the database when the report is made.</p>
<p><strong>${report.summary.controls} controls:</strong> ${badge('met')} ${report.summary.met} · ${badge('not-met')} ${report.summary.notMet} · ${badge('operator')} ${report.summary.operator}</p>
<h2>Evidence</h2>
<ul>
${evidence}
</ul>
${frameworks}
<section>
<h2>Checks</h2>
<table><thead><tr><th>Check</th><th>Status</th><th>Finding</th><th>Evidence</th><th>Guarded by</th></tr></thead><tbody>
${checks}
</tbody></table>
</section>
</body>
</html>
`;
}
