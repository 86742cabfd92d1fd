import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../shared/http.js';
import type { ChannelLook, InboxApi, WidgetLook } from './inbox-api.js';

const HEX = /^#[0-9a-fA-F]{6}$/;

/**
 * Each web chat channel's look: the colour of its button and header, the greeting shown before
 * the visitor writes, and the corner. A field the channel's `widget:` in baton.yaml sets is shown
 * read-only; the server checks the colour (six hex digits, readable white text) again.
 */
export function WidgetLookPanel({ api }: { api: InboxApi }) {
  const [looks, setLooks] = useState<ChannelLook[] | null>(null);
  const [failed, setFailed] = useState(false);
  const load = useCallback(async () => {
    try {
      setLooks((await api.widgetLooks()).items);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, [api]);
  useEffect(() => void load(), [load]);
  if (failed) return <section class="panel"><h2>Web chat look</h2><p class="form-error" role="alert">The web chat looks did not load.</p></section>;
  if (!looks || looks.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="look-title">
      <h2 id="look-title">Web chat look</h2>
      {looks.map((l) => <ChannelLookForm key={l.channelId} api={api} item={l} onSaved={(next) => setLooks((all) => all?.map((x) => (x.channelId === next.channelId ? next : x)) ?? null)} />)}
    </section>
  );
}

function ChannelLookForm({ api, item, onSaved }: { api: InboxApi; item: ChannelLook; onSaved: (l: ChannelLook) => void }) {
  const [color, setColor] = useState(item.look.color);
  const [greeting, setGreeting] = useState(item.look.greeting ?? '');
  const [position, setPosition] = useState<WidgetLook['position']>(item.look.position);
  const [note, setNote] = useState<{ text: string; bad: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const locked = (k: keyof WidgetLook) => item.fromConfig.includes(k);
  const shown = HEX.test(color) ? color : item.look.color;

  const save = async (e: Event) => {
    e.preventDefault();
    const body: Partial<WidgetLook> = {};
    if (!locked('color')) body.color = color;
    if (!locked('greeting')) body.greeting = greeting;
    if (!locked('position')) body.position = position;
    if (Object.keys(body).length === 0) return;
    setBusy(true);
    setNote(null);
    try {
      onSaved(await api.setWidgetLook(item.channelId, body));
      setNote({ text: 'Saved. Visitors see it the next time the chat loads.', bad: false });
    } catch (err) {
      setNote({ text: err instanceof ApiError ? err.message : 'That did not work.', bad: true });
    } finally {
      setBusy(false);
    }
  };
  const fromFile = <span class="muted small"> (set in baton.yaml)</span>;
  return (
    <form class="look-form" data-channel={item.channelId} onSubmit={(e) => void save(e)} aria-label={`Look of ${item.channelId}`}>
      <h3 class="mono">{item.channelId}</h3>
      <div class="look-fields">
        <label>Colour{locked('color') && fromFile}
          <span class="look-color">
            <input type="color" aria-label="Pick a colour" value={shown} disabled={locked('color')} onInput={(e) => setColor(e.currentTarget.value)} />
            <input name="look-color" value={color} disabled={locked('color')} maxLength={7} pattern="#[0-9a-fA-F]{6}" onInput={(e) => setColor(e.currentTarget.value)} />
          </span>
        </label>
        <label>Greeting{locked('greeting') && fromFile}
          <input name="look-greeting" value={greeting} disabled={locked('greeting')} maxLength={300} placeholder="Hi! How can we help?" onInput={(e) => setGreeting(e.currentTarget.value)} />
        </label>
        <label>Position{locked('position') && fromFile}
          <select name="look-position" value={position} disabled={locked('position')} onChange={(e) => setPosition(e.currentTarget.value as WidgetLook['position'])}>
            <option value="bottom-right">Bottom right</option>
            <option value="bottom-left">Bottom left</option>
          </select>
        </label>
      </div>
      <div class={`look-preview ${position === 'bottom-left' ? 'left' : 'right'}`} aria-label="Preview" role="img">
        {greeting.trim() && <span class="look-preview-greeting">{greeting.trim()}</span>}
        <span class="look-swatch" data-testid="look-swatch" style={{ background: shown }}>Chat with us</span>
      </div>
      {note && <p class={note.bad ? 'form-error' : 'ok'} role="status">{note.text}</p>}
      <div><button class="btn btn-primary btn-small" type="submit" disabled={busy || item.fromConfig.length === 3}>Save look</button></div>
    </form>
  );
}
