/**
 * Baton's web chat widget, for any site:
 *
 *   <script src="https://baton.example.com/chat/widget.js" data-account="acme" data-channel="web" async></script>
 *
 * It adds a chat button in the corner and opens the chat in an iframe served by Baton, so the
 * visitor's token and the chat's styles stay Baton's and nothing of the host page is touched. It
 * asks Baton who answers now: with a bot in front the chat is there at any hour; with agents only,
 * the button says so while nobody is online. Once the chat is open its frame says what the button
 * shows, so the two never disagree. `data-open="true"` opens it at once.
 *
 * Answers that come while the chat is closed are counted on the button ("2 unread messages"),
 * with a soft beep once the visitor has used the page; `data-sound="off"` keeps it silent.
 *
 * The button's colour and corner are the channel's look (the admin page, or `widget:` in
 * baton.yaml), read from the same status answer that says who answers.
 *
 * Keyboard: opening puts the cursor in the message box (what is typed while the chat still loads
 * goes there too), Escape closes it and gives the focus back to the button.
 */
import { launcherUnread } from './launcher-unread.js';

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || !script.src) return;
  const origin = new URL(script.src).origin;
  const account = script.dataset.account ?? '';
  const channel = script.dataset.channel ?? '';
  if (!account || !channel) {
    console.warn('Baton widget: set data-account and data-channel on the script tag.');
    return;
  }
  const path = `/chat/${encodeURIComponent(account)}/${encodeURIComponent(channel)}`;
  const small = () => window.matchMedia('(max-width: 480px)').matches;
  // The look the admin page or baton.yaml gives the channel arrives with the first status answer.
  let accent = '#4338ca';
  let side: 'right' | 'left' = 'right';

  const button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('aria-label', 'Open the chat');
  button.setAttribute('data-baton-launcher', '');
  Object.assign(button.style, {
    position: 'fixed', right: '20px', left: 'auto', bottom: '20px', zIndex: '2147483000', height: '56px', minWidth: '56px', padding: '0 18px',
    border: 'none', borderRadius: '28px', background: accent, color: '#fff', cursor: 'pointer', font: '600 15px system-ui, sans-serif',
    boxShadow: '0 6px 24px rgba(30, 27, 75, .35)', display: 'flex', alignItems: 'center', gap: '8px',
  });
  // Inline styles cannot say :focus-visible; the ring is set on focus instead (7.9:1 against white).
  button.addEventListener('focus', () => {
    if (button.matches(':focus-visible')) Object.assign(button.style, { outline: `3px solid ${accent}`, outlineOffset: '3px' });
  });
  button.addEventListener('blur', () => Object.assign(button.style, { outline: '', outlineOffset: '' }));
  const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('width', '24');
  icon.setAttribute('height', '24');
  icon.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('fill', 'currentColor');
  p.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  icon.appendChild(p);
  const label = document.createElement('span');
  button.append(icon, label);
  const unread = launcherUnread(button, { sound: script.dataset.sound !== 'off', closedLabel: 'Open the chat' });

  let frame: HTMLIFrameElement | null = null;
  let open = false;
  /** The frame has said what it shows: from then on the button only repeats it. */
  let frameSpeaks = false;
  /** Opened by the visitor, the frame not there yet: their keys are kept for the message box. */
  let waitingForFrame = false;
  let typed = '';

  const place = (f: HTMLIFrameElement) => {
    Object.assign(f.style, small()
      ? { inset: '0', width: '100%', height: '100%', borderRadius: '0', right: '0', bottom: '0' }
      : { width: '380px', height: 'min(620px, calc(100vh - 110px))', borderRadius: '16px', inset: side === 'right' ? 'auto 20px 88px auto' : 'auto auto 88px 20px' });
  };
  const focusChat = () => {
    if (!frame) return;
    frame.focus();
    frame.contentWindow?.postMessage({ baton: 'focus', typed }, origin);
    typed = '';
    waitingForFrame = false;
  };
  const show = (on: boolean, byVisitor: boolean) => {
    open = on;
    if (on && !frame) {
      frame = document.createElement('iframe');
      frame.title = 'Chat';
      frame.src = `${origin}${path}/frame?page=${encodeURIComponent(location.href.slice(0, 400))}`;
      frame.setAttribute('data-baton-chat', '');
      Object.assign(frame.style, { position: 'fixed', zIndex: '2147483001', border: 'none', background: '#fff', boxShadow: '0 12px 48px rgba(15, 23, 42, .28)' });
      document.body.appendChild(frame);
    }
    if (frame) {
      place(frame);
      frame.style.display = on ? 'block' : 'none';
    }
    button.style.display = on && small() ? 'none' : 'flex';
    button.setAttribute('aria-expanded', String(on));
    button.setAttribute('aria-label', on ? 'Close the chat' : 'Open the chat');
    if (on) unread.clear();
    // The chat reports answers read only while it is in sight.
    frame?.contentWindow?.postMessage({ baton: 'shown', open: on }, origin);
    waitingForFrame = false;
    typed = '';
    // Opened on page load (data-open), the chat does not take the focus from the page.
    if (on && byVisitor) {
      if (frameSpeaks) focusChat();
      else waitingForFrame = true;
    }
  };
  const close = () => {
    show(false, true);
    button.style.display = 'flex';
    button.focus();
  };
  button.addEventListener('click', () => (open ? close() : show(true, true)));

  // Keys pressed between opening and the frame being there would be lost: they are kept instead.
  document.addEventListener('keydown', (e) => {
    if (open && e.key === 'Escape' && (document.activeElement === button || waitingForFrame)) {
      e.preventDefault();
      close();
      return;
    }
    if (!waitingForFrame) return;
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) typed += e.key;
    else if (e.key !== 'Enter') return;
    e.preventDefault();
    e.stopPropagation();
  }, true);
  document.addEventListener('keyup', (e) => {
    // A space released on the button would press it again.
    if (waitingForFrame && e.key === ' ') e.preventDefault();
  }, true);

  const setLauncher = (text: string, dim: boolean) => {
    label.textContent = text;
    dimmed = dim;
    button.style.background = dim ? '#475569' : accent;
    button.title = text;
  };
  let dimmed = false;
  /** Checked again here: only a six-digit colour and a known corner ever reach the styles. */
  const applyLook = (look: unknown) => {
    const l = look as { color?: unknown; position?: unknown } | null;
    if (typeof l?.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(l.color)) accent = l.color;
    if (l?.position === 'bottom-left' || l?.position === 'bottom-right') side = l.position === 'bottom-left' ? 'left' : 'right';
    Object.assign(button.style, side === 'right' ? { right: '20px', left: 'auto' } : { left: '20px', right: 'auto' });
    if (!dimmed) button.style.background = accent;
    if (frame) place(frame);
  };
  window.addEventListener('message', (e) => {
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow) return;
    const d = e.data as { baton?: string; launcher?: unknown; dim?: unknown; id?: unknown } | null;
    if (d?.baton === 'close') close();
    else if (d?.baton === 'arrived' && typeof d.id === 'string') unread.arrived(d.id.slice(0, 100), open);
    else if (d?.baton === 'state' && typeof d.launcher === 'string') {
      frameSpeaks = true;
      setLauncher(d.launcher.slice(0, 40), d.dim === true);
      if (waitingForFrame && open) focusChat();
    }
  });
  window.addEventListener('resize', () => frame && place(frame));

  // Before the chat is open, the button asks Baton itself; an unanswered question is not "offline".
  const check = () => {
    if (frameSpeaks) return;
    void fetch(`${origin}/chat/api/${encodeURIComponent(account)}/${encodeURIComponent(channel)}/status`)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then(
        (s: { available: boolean; look?: unknown }) => {
          applyLook(s.look);
          if (!frameSpeaks) setLauncher(s.available ? 'Chat with us' : "We're offline", !s.available);
        },
        () => !frameSpeaks && setLauncher('Chat not connected', true),
      );
  };

  const mount = () => {
    document.body.appendChild(button);
    setLauncher('Chat with us', false);
    check();
    setInterval(check, 60_000);
    if (script.dataset.open === 'true' && !small()) show(true, false);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
