/**
 * The kinds of file people may send in a chat, told by their first bytes ("magic numbers"), never
 * by the name or the Content-Type a client claims: a text file sent as `image/png` is not a PNG.
 */
export const FILE_TYPES = Object.freeze({
  'image/png': { ext: 'png', inline: true },
  'image/jpeg': { ext: 'jpg', inline: true },
  'image/gif': { ext: 'gif', inline: true },
  'image/webp': { ext: 'webp', inline: true },
  'application/pdf': { ext: 'pdf', inline: false },
} as const);

export type FileType = keyof typeof FILE_TYPES;

export const ACCEPTED_FILE_TYPES = Object.keys(FILE_TYPES) as FileType[];

const startsWith = (bytes: Uint8Array, at: number, signature: readonly number[]) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The type the bytes are, among those accepted, or null.
 *
 * @example sniffFileType(Buffer.from('%PDF-1.7\n…')) // => 'application/pdf'
 */
export function sniffFileType(bytes: Uint8Array): FileType | null {
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, 0, ascii('GIF87a')) || startsWith(bytes, 0, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) return 'image/webp';
  if (startsWith(bytes, 0, ascii('%PDF-'))) return 'application/pdf';
  return null;
}

/** Characters no file name keeps: controls, path separators, and those shells and Windows treat specially. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f"*/:<>?\\|]/g;
const MAX_NAME = 120;

/**
 * A name safe to store, show and send back in Content-Disposition: no directories, no control
 * characters, at most 120 characters with the extension kept, and the type's extension when it
 * has none.
 *
 * @example safeFileName('../../etc/pass\nwd.png', 'image/png') // => 'pass wd.png'
 */
export function safeFileName(given: string | null, type: FileType): string {
  const ext = FILE_TYPES[type].ext;
  const base = (given ?? '').split(/[/\\]/).pop() ?? '';
  let name = base.normalize('NFC').replace(UNSAFE, ' ').replace(/\s+/g, ' ').replace(/\s+(\.[^.\s]+)$/, '$1').replace(/^[.\s]+|[.\s]+$/g, '');
  if (!name) name = 'file';
  if (!/\.[A-Za-z0-9]{1,5}$/.test(name)) name = `${name}.${ext}`;
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf('.');
    const tail = name.slice(dot);
    name = [...name.slice(0, dot)].slice(0, MAX_NAME - tail.length).join('').trimEnd() + tail;
  }
  return name;
}
