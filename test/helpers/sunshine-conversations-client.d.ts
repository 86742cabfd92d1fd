// The official client ships no types; the tests read its answers as the document's shapes.
declare module 'sunshine-conversations-client';
