/**
 * The generated part of docs/authorization.md: the permission matrix as a table, between two
 * markers, so the prose around it is written by hand and the table cannot drift from the code
 * (`npm run docs` rewrites it; a test compares).
 */
import { matrixTable } from './matrix.ts';

export const MATRIX_START = '<!-- generated from server/src/authz/matrix.ts by `npm run docs`: do not edit -->';
export const MATRIX_END = '<!-- end of generated matrix -->';

/** `document` with the text between the markers replaced by the current matrix. */
export function withMatrix(document: string): string {
  const start = document.indexOf(MATRIX_START);
  const end = document.indexOf(MATRIX_END);
  if (start === -1 || end < start) throw new Error('docs/authorization.md lacks the matrix markers');
  return `${document.slice(0, start + MATRIX_START.length)}\n${matrixTable()}\n${document.slice(end)}`;
}
