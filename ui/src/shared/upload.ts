import { ApiError } from './http.js';
import { sizeLabel } from './file-preview.js';

/** What the server takes (the history's and /me's `files`). */
export interface FileLimits { maxBytes: number; types: string[] }

export const DEFAULT_LIMITS: FileLimits = { maxBytes: 10 * 1024 * 1024, types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] };

/** Why a chosen file will not be taken, in a sentence, or null. The server checks again, by the bytes. */
export function fileProblem(file: { size: number; type: string; name: string }, limits: FileLimits): string | null {
  if (!limits.types.includes(file.type)) return `“${file.name}” cannot be sent: only pictures (PNG, JPEG, GIF, WebP) and PDF files can.`;
  if (file.size > limits.maxBytes) return `“${file.name}” is ${sizeLabel(file.size)}; files can be at most ${sizeLabel(limits.maxBytes)}.`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

/**
 * Sends a file as the body of a POST (its type as Content-Type, its name in x-file-name), with
 * progress from 0 to 1; fetch cannot report an upload's progress, XMLHttpRequest can.
 */
export function uploadFile<T>(url: string, file: File, headers: Record<string, string>, onProgress: (done: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', file.type);
    xhr.setRequestHeader('x-file-name', encodeURIComponent(file.name));
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Baton cannot be reached. Check your connection.'));
    xhr.onload = () => {
      type Answer = { error?: { code: string; message: string; details?: Record<string, unknown> } } | null;
      const data = ((): Answer => {
        try {
          return JSON.parse(xhr.responseText) as Answer;
        } catch {
          return null;
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else reject(new ApiError(xhr.status, data?.error?.code ?? 'error', data?.error?.message ?? `HTTP ${xhr.status}`, data?.error?.details));
    };
    xhr.send(file);
  });
}
