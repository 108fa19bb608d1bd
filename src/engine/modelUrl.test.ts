import { describe, expect, it } from 'vitest';
import { modelFolderUrl } from './modelUrl';

const page = 'http://127.0.0.1:4173/?world=2';

describe('modelUrl', () => {
  it('resolves a folder or its manifest.json on this origin to the folder', () => {
    expect(modelFolderUrl('/models/mine', page)).toBe('http://127.0.0.1:4173/models/mine/');
    expect(modelFolderUrl('/models/mine/', page)).toBe('http://127.0.0.1:4173/models/mine/');
    expect(modelFolderUrl('models/mine/manifest.json?v=2', page)).toBe('http://127.0.0.1:4173/models/mine/');
    expect(modelFolderUrl('http://127.0.0.1:4173/x/manifest.json', page)).toBe('http://127.0.0.1:4173/x/');
  });

  it('refuses another origin, saying why and what to do instead', () => {
    expect(() => modelFolderUrl('https://models.example.com/wm/', page)).toThrow(
      /another origin \(https:\/\/models\.example\.com\).*drop its files/,
    );
    expect(() => modelFolderUrl('http://127.0.0.1:9999/wm/', page)).toThrow(/another origin/);
    expect(() => modelFolderUrl('http://[bad', page)).toThrow(/not a URL/);
  });
});
