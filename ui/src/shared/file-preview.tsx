import { linkable } from './links.js';

export interface Media { url: string; contentType?: string; name?: string; size?: number }

/** "2.4 MB", "830 KB". */
export function sizeLabel(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

/**
 * A file in a message: an image as a thumbnail that opens the whole picture in a new tab, any
 * other file as a chip with its name and size. A URL that is not http(s) is shown as text only.
 */
export function FilePreview({ media }: { media: Media }) {
  const href = linkable(media.url);
  const name = media.name ?? 'File';
  if (!href) return <span class="file-chip">{media.name ?? media.url}</span>;
  if (media.contentType && IMAGE.test(media.contentType)) {
    return (
      <a class="file-thumb" href={href} target="_blank" rel="noopener noreferrer" title={`Open ${name}`} data-testid="file-thumb">
        <img src={href} alt={name} loading="lazy" />
      </a>
    );
  }
  return (
    <a class="file-chip" href={href} target="_blank" rel="noopener noreferrer" download={media.name} data-testid="file-chip">
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M6 2h8l6 6v14H6zM13 3.5V9h5.5" /></svg>
      <span class="file-chip-name">{name}</span>
      {media.size !== undefined && <span class="file-chip-size">{sizeLabel(media.size)}</span>}
    </a>
  );
}
