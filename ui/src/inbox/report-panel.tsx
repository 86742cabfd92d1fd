import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { duration } from '../shared/format.js';
import { ConnectionContext } from './connection.js';
import type { InboxApi, Report, ReportPeriod } from './inbox-api.js';

const PERIODS: { id: ReportPeriod; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
];

/**
 * The desk's figures for a period: how many conversations reached the team, how long they waited
 * for an agent, how soon the agent answered, and what each agent took and closed.
 */
export function ReportPanel({ api }: { api: InboxApi }) {
  const connection = useContext(ConnectionContext);
  const [period, setPeriod] = useState<ReportPeriod>('today');
  const [report, setReport] = useState<Report | null>(null);
  const [failed, setFailed] = useState(false);
  const chosen = useRef(period);
  chosen.current = period;

  const load = useCallback(async () => {
    try {
      const r = await api.report(period);
      // A slower answer for a period no longer chosen must not overwrite the chosen one.
      if (chosen.current !== period) return;
      setReport(r);
      setFailed(false);
    } catch {
      if (chosen.current === period) setFailed(true);
    }
  }, [api, period]);
  useEffect(() => void load(), [load, connection.since]);

  const shown = report?.period === period ? report : null;
  return (
    <section class="panel" aria-labelledby="report-title" data-testid="report">
      <div class="panel-head">
        <h2 id="report-title">Report</h2>
        <label class="inline-label">
          Period
          <select value={period} onChange={(e) => setPeriod(e.currentTarget.value as ReportPeriod)}>
            {PERIODS.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          </select>
        </label>
      </div>
      <p class="muted small">Today counts from midnight UTC; the last 7 and 30 days end now.</p>
      {failed && !shown && <div role="alert"><p>The report did not load.</p><button class="btn btn-small" type="button" onClick={() => void load()}>Try again</button></div>}
      {!failed && !shown && <p class="muted" aria-busy="true">Loading…</p>}
      {shown && <Figures report={shown} />}
    </section>
  );
}

function Figures({ report }: { report: Report }) {
  if (report.handedOver === 0 && report.taken === 0) return <p class="muted">No conversations reached the team in this period.</p>;
  return (
    <>
      <dl class="figures">
        <div><dt>Handed to the team</dt><dd>{report.handedOver}</dd></div>
        <div><dt>Taken</dt><dd>{report.taken}</dd></div>
        <div><dt>Waiting time, median</dt><dd>{duration(report.waitMedianMs)}</dd></div>
        <div><dt>Waiting time, 90th percentile</dt><dd>{duration(report.waitP90Ms)}</dd></div>
        <div><dt>First response, median</dt><dd>{duration(report.firstResponseMedianMs)}</dd></div>
      </dl>
      <p class="muted small">
        Handed to the team: conversations handed over to the agents' queue. Taken: the handovers and takeovers from the bot
        that an agent took in the period; one handed on to another agent counts once, for the first. Waiting time runs from
        the handover to that first take (a takeover does not wait); first response from the take to the agent's first message.
      </p>
      {report.sampled && <p class="warning" role="note">So many conversations in this period that the times are of the latest 20,000 only.</p>}
      <div class="table-wrap">
        <table>
          <thead><tr><th>Agent</th><th>Taken</th><th>Closed</th><th>First response, median</th></tr></thead>
          <tbody>
            {report.agents.map((a) => (
              <tr key={a.id}>
                <td><strong>{a.name}</strong><div class="muted small">{a.id}</div></td>
                <td>{a.taken}</td>
                <td>{a.closed}</td>
                <td>{duration(a.firstResponseMedianMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
