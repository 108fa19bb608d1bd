/** What the recorder can make (kept apart from the encoders, which load only when a recording starts). */
export type RecordFormat = 'webm' | 'mp4' | 'gif';
export const FORMAT_INFO: Record<RecordFormat, { mime: string; ext: string; label: string }> = {
  webm: { mime: 'video/webm', ext: 'webm', label: 'WebM video' },
  mp4: { mime: 'video/mp4', ext: 'mp4', label: 'MP4 video' },
  gif: { mime: 'image/gif', ext: 'gif', label: 'GIF' },
};

export interface Recording {
  blob: Blob;
  format: RecordFormat;
  frames: number;
  seconds: number;
  /** the video codec (null for GIF) */
  codec: string | null;
}
