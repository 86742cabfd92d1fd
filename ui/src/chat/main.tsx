import { render } from 'preact';
import { ChatApp } from './chat-app.js';
import '../shared/base.css';
import './chat.css';

// The frame's address is /chat/{account}/{channel}/frame.
const [, , account = '', channel = ''] = location.pathname.split('/').map(decodeURIComponent);
render(<ChatApp account={account} channel={channel} />, document.getElementById('app')!);
