import { useState } from 'preact/hooks';

/**
 * Where the bot should pick up: the flows and steps its component declares in baton.yaml are
 * offered, and any other flow/step can still be typed (the bot decides what it understands).
 */
export function HandbackForm({ flows, position, busy, onSubmit, onCancel }: { flows: { id: string; steps: string[] }[]; position: { flow: string; step: string } | null; busy: boolean; onSubmit: (flow: string, step: string) => void; onCancel: () => void }) {
  const [flow, setFlow] = useState(position?.flow ?? '');
  const [step, setStep] = useState(position?.step ?? '');
  const steps = flows.find((f) => f.id === flow)?.steps ?? [];
  const incomplete = Boolean(flow.trim()) !== Boolean(step.trim());
  return (
    <form class="inline-form handback" onSubmit={(e) => { e.preventDefault(); if (!incomplete) onSubmit(flow.trim(), step.trim()); }} aria-label="Hand back to the bot">
      <label class="inline-label">
        Flow
        <input name="flow" list="handback-flows" value={flow} onInput={(e) => { setFlow(e.currentTarget.value); setStep(''); }} placeholder={flows.length ? 'choose or type' : 'optional'} autofocus />
        <datalist id="handback-flows">{flows.map((f) => <option key={f.id} value={f.id} />)}</datalist>
      </label>
      <label class="inline-label">
        Step
        <input name="step" list="handback-steps" value={step} onInput={(e) => setStep(e.currentTarget.value)} placeholder={steps.length ? 'choose or type' : 'optional'} />
        <datalist id="handback-steps">{steps.map((s) => <option key={s} value={s} />)}</datalist>
      </label>
      {flows.length > 0 && (
        <span class="suggest" aria-label="Declared positions">
          {flows.flatMap((f) => f.steps.map((s) => (
            <button key={`${f.id}/${s}`} type="button" class="chip chip-button" onClick={() => { setFlow(f.id); setStep(s); }}>{f.id} / {s}</button>
          )))}
        </span>
      )}
      <button class="btn btn-primary" type="submit" disabled={busy || incomplete}>{flow && step ? `Hand back at ${flow} / ${step}` : 'Hand back'}</button>
      <button class="btn btn-ghost" type="button" onClick={onCancel}>Cancel</button>
      {incomplete && <span class="muted small">Give both a flow and a step, or neither.</span>}
    </form>
  );
}
