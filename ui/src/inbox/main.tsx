import { render } from 'preact';
import { App } from './app.js';
import '../shared/base.css';
import './inbox.css';

render(<App />, document.getElementById('app')!);
