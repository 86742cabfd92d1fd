/**
 * Baton's web chat widget, for any site:
 *
 *   <script src="https://baton.example.com/chat/widget.js" data-account="acme" data-channel="web" async></script>
 *
 * It adds a chat button in the corner and opens the chat in an iframe served by Baton, so the
 * visitor's token and the chat's styles stay Baton's and nothing of the host page is touched. It
 * asks Baton who answers now: with a bot in front the chat is there at any hour; with agents only,
 * the button says so while nobody is online. `data-open="true"` opens it at once.
 */
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

  const button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('aria-label', 'Open the chat');
  button.setAttribute('data-baton-launcher', '');
  Object.assign(button.style, {
    position: 'fixed', right: '20px', bottom: '20px', zIndex: '2147483000', height: '56px', minWidth: '56px', padding: '0 18px',
    border: 'none', borderRadius: '28px', background: '#4338ca', color: '#fff', cursor: 'pointer', font: '600 15px system-ui, sans-serif',
    boxShadow: '0 6px 24px rgba(30, 27, 75, .35)', display: 'flex', alignItems: 'center', gap: '8px',
  });
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

  let frame: HTMLIFrameElement | null = null;
  let open = false;

  const place = (f: HTMLIFrameElement) => {
    Object.assign(f.style, small()
      ? { inset: '0', width: '100%', height: '100%', borderRadius: '0', right: '0', bottom: '0' }
      : { right: '20px', bottom: '88px', width: '380px', height: 'min(620px, calc(100vh - 110px))', borderRadius: '16px', inset: 'auto 20px 88px auto' });
  };
  const show = (on: boolean) => {
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
    if (on) frame?.focus();
  };
  button.addEventListener('click', () => show(!open));
  window.addEventListener('message', (e) => {
    if (e.origin === origin && (e.data as { baton?: string } | null)?.baton === 'close') {
      show(false);
      button.focus();
    }
  });
  window.addEventListener('resize', () => frame && place(frame));

  const setAvailability = (available: boolean) => {
    label.textContent = available ? 'Chat with us' : "We're offline";
    button.style.background = available ? '#4338ca' : '#64748b';
    button.title = available ? 'Chat with us' : 'Nobody is available to chat right now';
  };
  const check = () => fetch(`${origin}/chat/api/${encodeURIComponent(account)}/${encodeURIComponent(channel)}/status`)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((s: { available: boolean }) => setAvailability(s.available), () => setAvailability(false));

  const mount = () => {
    document.body.appendChild(button);
    setAvailability(true);
    void check();
    setInterval(() => void check(), 60_000);
    if (script.dataset.open === 'true' && !small()) show(true);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
