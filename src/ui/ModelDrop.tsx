import { useEffect, useState } from 'react';
import { ManifestError } from '../engine/manifest';
import { readDroppedModel } from '../engine/modelSource';
import { useApp } from '../store/store';

/** The files of a drop, folders opened (one level down is a model folder's depth). */
async function droppedFiles(dt: DataTransfer): Promise<{ files: File[]; label: string }> {
  // Entries must be taken before the first await: the DataTransfer empties after the event.
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return { files: [...dt.files], label: 'dropped files' };
  const files: File[] = [];
  const walk = async (e: FileSystemEntry, depth: number): Promise<void> => {
    if (e.isFile) files.push(await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej)));
    else if (e.isDirectory && depth < 2) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const b of batch) await walk(b, depth + 1);
      }
    }
  };
  for (const e of entries) await walk(e, 0);
  const folder = entries.length === 1 && entries[0]!.isDirectory ? `folder ${entries[0]!.name}` : 'dropped files';
  return { files, label: folder };
}

/** Reads a model's files (dropped or chosen); a bad manifest or a missing file is named, and the current model stays. */
export async function openModelFiles(files: File[], label: string): Promise<void> {
  const { setSource, notify, patchModel } = useApp.getState();
  try {
    setSource(await readDroppedModel(files, label));
  } catch (e) {
    const problems = e instanceof ManifestError ? e.problems : [(e as Error).message];
    patchModel({ modelProblems: problems });
    notify(
      'error',
      `That model was not loaded: ${problems.length} problem${problems.length === 1 ? '' : 's'} (listed in the model panel). The current model stays.`,
    );
  }
}

/** Dropping a model folder (or its manifest.json and .onnx files) anywhere on the page loads it. */
export function ModelDrop() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setOver(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!e.relatedTarget) setOver(false);
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      setOver(false);
      void droppedFiles(e.dataTransfer).then(({ files, label }) => openModelFiles(files, label));
    };
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  if (!over) return null;
  return (
    <div className="drop-zone" data-testid="drop-zone">
      Drop a world model: its folder, or manifest.json with the .onnx files it names
    </div>
  );
}
